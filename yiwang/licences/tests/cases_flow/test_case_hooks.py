"""The cases module's hooks in a real case flow: a held licence replaces an upload (and the use is
logged for the holder); approval issues the item's licence in the decision's transaction."""

import pytest

from yiwang.cases import services as case_services
from yiwang.cases.models import MaterialStatus
from yiwang.cases.tests.conftest import FORM, complete_steps
from yiwang.cases.tests.factories import CITIZEN_ID, OTHER_ID
from yiwang.core.audit import AuditEvent
from yiwang.licences.models import Licence, LicenceType, LicenceUse
from yiwang.licences.selectors import Verdict, licence_verify, licences_of_user, uses_of_user
from yiwang.licences.services import licence_issue, licence_revoke


@pytest.fixture
def held_business_licence(business_type, dept_b):
    return licence_issue(
        licence_type=business_type,
        holder_name="王秀兰",
        holder_id_number=CITIZEN_ID,
        fields={"entity_name": "眉县秀兰便利店", "scope": "预包装食品零售"},
        department=dept_b,
        actor=None,
    )


@pytest.fixture
def food_licence_type(food_item):
    return LicenceType.objects.create(
        code="spjy",
        name="食品经营许可证",
        fields_schema=[
            {"key": "applicant_address", "label": "经营场所", "required": True},
            {"key": "item", "label": "许可事项", "source": "item"},
        ],
        validity_years=5,
        item_codes=[food_item.code],
    )


def test_a_held_licence_replaces_the_upload_and_the_use_is_logged(held_business_licence, citizen, person, food_item):
    case = case_services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM)

    material = case.materials.get(code="M02")
    assert material.status == MaterialStatus.LICENCE and material.licence_ref == held_business_licence.number
    assert not material.uploads.exists()
    use = LicenceUse.objects.get()
    assert use.licence == held_business_licence and use.case == case and use.actor == citizen
    assert use.department == case.department and "营业执照" in use.purpose and case.number in use.purpose
    assert AuditEvent.objects.filter(action="licence.used", object_id=str(held_business_licence.pk)).count() == 1
    # The holder sees the use on 我的证照 (found by the ID number through the account's cases).
    citizen.id_number = CITIZEN_ID
    citizen.save()
    assert list(uses_of_user(citizen)) == [use]


def test_a_revoked_or_someone_elses_licence_is_not_used(
    held_business_licence, business_type, dept_b, handler_b, citizen, person, food_item
):
    licence_issue(
        licence_type=business_type,
        holder_name="张伟",
        holder_id_number=OTHER_ID,
        fields={"entity_name": "张伟商店", "scope": "零售"},
        department=dept_b,
        actor=None,
    )
    licence_revoke(licence=held_business_licence, actor=handler_b, reason="已歇业")
    case = case_services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM)
    assert case.materials.get(code="M02").status == MaterialStatus.MISSING
    assert not LicenceUse.objects.exists()


def test_a_tampered_licence_is_not_used(held_business_licence, citizen, person, food_item):
    Licence.objects.filter(pk=held_business_licence.pk).update(holder_name="王秀兰（改）")
    case = case_services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM)
    assert case.materials.get(code="M02").status == MaterialStatus.MISSING


def test_approval_issues_the_licence_with_the_decision(food_licence_type, review_case, handler_a, citizen):
    case = complete_steps(review_case, handler_a)
    case_services.case_decide(case=case, actor=handler_a, outcome="approved", reasons="符合条件")

    licence = Licence.objects.get(case=case)
    assert licence.licence_type == food_licence_type and licence.department == case.department
    assert licence.holder_kind == "person" and licence.holder_id_number == CITIZEN_ID
    assert licence.holder_user == citizen and licence.issued_by == handler_a
    assert licence.fields == {"applicant_address": FORM["applicant_address"], "item": case.title}
    assert licence.valid_until is not None
    assert licence_verify(licence).verdict == Verdict.GENUINE
    assert list(licences_of_user(citizen)) == [licence]
    # A retried issuance for the same case returns the first licence.
    again = licence_issue(
        licence_type=food_licence_type,
        holder_name=case.applicant_name,
        holder_id_number=CITIZEN_ID,
        fields={"applicant_address": "x"},
        department=case.department,
        case=case,
        actor=None,
    )
    assert again == licence and Licence.objects.count() == 1


def test_a_denial_issues_nothing(food_licence_type, review_case, handler_a):
    case = complete_steps(review_case, handler_a)
    case_services.case_decide(case=case, actor=handler_a, outcome="denied", reasons="经营场所不符合要求")
    assert not Licence.objects.exists()


def test_a_licence_past_its_last_day_is_not_used_even_before_the_sweep(
    held_business_licence, citizen, person, food_item
):
    import datetime as dt

    from django.utils import timezone

    from yiwang.licences.signing import canonical_bytes, canonical_dict, sm2_sign

    # Re-sign with a past last day so the signature is genuine and only the date disqualifies it.
    licence = Licence.objects.select_related("licence_type", "department", "key").get(pk=held_business_licence.pk)
    licence.issued_on = timezone.localdate() - dt.timedelta(days=800)
    licence.valid_until = timezone.localdate() - dt.timedelta(days=1)
    key = licence.key
    licence.signature = sm2_sign(
        private_key=key.private_key, public_key=key.public_key, data=canonical_bytes(canonical_dict(licence))
    )
    licence.save()
    case = case_services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM)
    assert case.materials.get(code="M02").status == MaterialStatus.MISSING
    assert not LicenceUse.objects.exists()
