"""一业一证: one bundle, one integrated licence issued through the e-licence register, its public
verification page listing the permits, change and cancellation through one case."""

import pytest
from django.urls import reverse

from yiwang.cases import services as cases
from yiwang.cases.models import ApplicantKind
from yiwang.cases.services import ApplicantInput
from yiwang.cases.tests.conftest import complete_steps, fresh_calendar  # noqa: F401 — fixtures
from yiwang.cases.tests.factories import COMPANY_USCC, ENTERPRISE_FIELDS, elements, make_bundle, material, publish
from yiwang.core.errors import ApplicationError
from yiwang.core.models import AuditEvent
from yiwang.licences.models import Licence, LicenceState
from yiwang.measures.selectors import fact_total, measures_check
from yiwang.policies import integrated as yiye
from yiwang.policies.models import IntegratedLicence

pytestmark = pytest.mark.django_db


@pytest.fixture
def store_bundle(admin_user, dept_a, dept_b):
    """开便利店: food sales (dept A) and tobacco retail (dept B) in one bundle."""
    common = dict(
        audience="enterprise", reform_mode="", pledge_allowed=False, form_fields=[dict(f) for f in ENTERPRISE_FIELDS]
    )
    food = elements(
        "610326-XK-0101",
        "食品经营许可（预包装食品销售）",
        dept_a,
        materials=[material("M01", "申请书", key=True)],
        **common,
    )
    tobacco = elements(
        "610326-XK-0102", "烟草专卖零售许可", dept_b, materials=[material("M01", "申请书", key=True)], **common
    )
    items = publish(admin_user, food, tobacco)
    return make_bundle(admin_user, dept_a, items, code="kai-bianlidian", name="开便利店", target_days=None)


@pytest.fixture
def store_type(store_bundle, dept_a, handler_a):
    return yiye.industry_licence_type_create(
        code="bianlidian", name="便利店", bundle=store_bundle, department=dept_a, actor=handler_a
    )


@pytest.fixture
def applicant():
    return ApplicantInput(
        kind=ApplicantKind.ENTERPRISE, name="眉县好邻居便利店有限公司", uscc=COMPANY_USCC, phone="18292731065"
    )


def _approved_bundle_case(enterprise_user, applicant, bundle, clerk, handler_a, handler_b):
    case = cases.case_submit(
        actor=enterprise_user,
        applicant=applicant,
        bundle=bundle,
        form_data={"entity_address": "眉县首善街道平阳街18号"},
    )
    case = cases.case_accept(case=case, actor=clerk, received=[m.code for m in case.materials.all()])
    for child, handler in zip(case.children.order_by("number"), (handler_a, handler_b), strict=True):
        cases.case_assign(case=child, actor=handler)
        complete_steps(child, handler)
        cases.case_decide(case=child, actor=handler, outcome="approved", reasons="符合条件")
    case.refresh_from_db()
    return case


def _single_case(enterprise_user, applicant, item, clerk, handler):
    case = cases.case_submit(
        actor=enterprise_user, applicant=applicant, item=item, form_data={"entity_address": "眉县首善街道平阳街18号"}
    )
    case = cases.case_accept(case=case, actor=clerk, received=[m.code for m in case.materials.all()])
    cases.case_assign(case=case, actor=handler)
    complete_steps(case, handler)
    cases.case_decide(case=case, actor=handler, outcome="approved", reasons="符合条件")
    case.refresh_from_db()
    return case


def test_one_bundle_yields_one_integrated_licence_whose_page_lists_its_permits(
    client, enterprise_user, applicant, store_type, clerk, handler_a, handler_b
):
    case = _approved_bundle_case(enterprise_user, applicant, store_type.bundle, clerk, handler_a, handler_b)
    # issued with the bundle's approval (the cases app's LICENCE_ISSUER), nothing left for the sweep
    integrated = IntegratedLicence.objects.get()
    assert integrated.case_id == case.pk and integrated.issued_at == case.decided_at
    assert list(yiye.integrated_cases_due()) == [] and yiye.integrated_licences_issue_due() == 0
    again = yiye.integrated_licence_issue(case=case, actor=handler_a)
    assert again.pk == integrated.pk and Licence.objects.filter(licence_type__code="industry-integrated").count() == 1
    licence = integrated.licence
    assert licence.holder_uscc == COMPANY_USCC and licence.fields["industry"] == "便利店"
    assert licence.fields["permits"] == "食品经营许可（预包装食品销售）；烟草专卖零售许可"
    assert [p["name"] for p in integrated.permits] == ["食品经营许可（预包装食品销售）", "烟草专卖零售许可"]
    assert AuditEvent.objects.filter(action="integrated_licence.issued").count() == 1
    assert fact_total("policies.integrated_licences")["count"] == 1

    page = client.get(yiye.verify_path(licence))
    body = page.content.decode()
    assert page.status_code == 200
    assert "✔" in body and "便利店" in body and "本证涵盖的许可（2 项）" in body
    assert "烟草专卖零售许可" in body and f"{case.number}-02" in body
    assert "18292731065" not in body
    tampered = client.get(reverse("policies:integrated_verify", args=[licence.number]) + "?c=000000").content.decode()
    assert "✘" in tampered and "烟草专卖零售许可" not in tampered
    # the staff detail page carries the QR code
    client.force_login(handler_a)
    detail = client.get(reverse("policies:integrated_detail", args=[integrated.pk])).content.decode()
    assert "data:image/png;base64," in detail
    assert measures_check() == []


def test_the_sweep_catches_up_a_bundle_approved_without_the_issuer(
    settings, enterprise_user, applicant, store_type, clerk, handler_a, handler_b
):
    settings.YIWANG_CASES = {"LICENCE_ISSUER": "yiwang.licences.lookup.RegisterLicenceIssuer"}
    case = _approved_bundle_case(enterprise_user, applicant, store_type.bundle, clerk, handler_a, handler_b)
    assert not IntegratedLicence.objects.exists()
    assert [c.number for c in yiye.integrated_cases_due()] == [case.number]
    assert yiye.integrated_licences_issue_due() == 1 and yiye.integrated_licences_issue_due() == 0
    assert IntegratedLicence.objects.get().case_id == case.pk


def test_change_and_cancel_go_through_one_case(
    client, enterprise_user, applicant, store_type, clerk, handler_a, handler_b
):
    case = _approved_bundle_case(enterprise_user, applicant, store_type.bundle, clerk, handler_a, handler_b)
    integrated = yiye.integrated_licence_issue(case=case, actor=handler_a)
    old = integrated.licence
    item = store_type.bundle.items.order_by("code").first()
    change_case = _single_case(enterprise_user, applicant, item, clerk, handler_a)
    with pytest.raises(ApplicationError) as info:
        yiye.integrated_licence_change(integrated=integrated, case=None, actor=handler_a)
    assert info.value.code == "integrated.case_required"
    with pytest.raises(ApplicationError) as info:
        yiye.integrated_licence_change(integrated=integrated, case=change_case, actor=handler_b)
    assert info.value.code == "integrated.forbidden"
    integrated = yiye.integrated_licence_change(
        integrated=integrated, case=change_case, actor=handler_a, address="眉县首善街道平阳街20号"
    )
    old.refresh_from_db()
    assert old.state == LicenceState.REVOKED and integrated.licence.fields["address"] == "眉县首善街道平阳街20号"
    body = client.get(reverse("policies:integrated_verify", args=[old.number])).content.decode()
    assert integrated.licence.number in body and "注销" in body
    with pytest.raises(ApplicationError) as info:
        yiye.integrated_licence_cancel(integrated=integrated, case=change_case, actor=handler_a, reason="停业")
    assert info.value.code == "integrated.case_used"
    cancel_case = _single_case(enterprise_user, applicant, item, clerk, handler_a)
    integrated = yiye.integrated_licence_cancel(
        integrated=integrated, case=cancel_case, actor=handler_a, reason="停止经营"
    )
    integrated.licence.refresh_from_db()
    assert integrated.state == "cancelled" and integrated.licence.state == LicenceState.REVOKED
    assert fact_total("policies.integrated_licences")["cancelled"] == 1
    assert measures_check() == []


def test_an_unfinished_or_foreign_case_gets_no_integrated_licence(
    enterprise_user, applicant, store_type, clerk, handler_a
):
    case = cases.case_submit(
        actor=enterprise_user, applicant=applicant, bundle=store_type.bundle, form_data={"entity_address": "眉县"}
    )
    with pytest.raises(ApplicationError) as info:
        yiye.integrated_licence_issue(case=case, actor=handler_a)
    assert info.value.code == "integrated.not_approved"
    item = store_type.bundle.items.order_by("code").first()
    single = cases.case_submit(
        actor=enterprise_user, applicant=applicant, item=item, form_data={"entity_address": "眉县"}
    )
    with pytest.raises(ApplicationError) as info:
        yiye.integrated_licence_issue(case=single, actor=handler_a)
    assert info.value.code == "integrated.not_industry_bundle"
