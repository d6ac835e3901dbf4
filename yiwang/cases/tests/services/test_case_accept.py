import pytest
from django.test import override_settings

from yiwang.cases import services
from yiwang.cases.credit import CreditVerdict
from yiwang.cases.models import (
    CaseState,
    DeferredMaterial,
    FalsePledgeRecord,
    MaterialStatus,
    Notice,
    NoticeKind,
    Pledge,
    ReviewStep,
)
from yiwang.core.errors import ApplicationError
from yiwang.core.models import AuditEvent
from yiwang.workdays.models import Clock

pytestmark = pytest.mark.django_db
ALL = ("M01", "M02", "M03", "M04")


class NoDeferrals:
    def deferral_allowed(self, subject):
        return CreditVerdict(False, "信用等级D类")

    def pledge_allowed(self, subject):
        return CreditVerdict(False, "信用等级D类")


def test_it_accepts_with_a_notice_steps_and_the_decision_clock(submitted_case, clerk, county_hall):
    case = services.case_accept(case=submitted_case, actor=clerk, received=ALL)

    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED and case.hall == county_hall
    assert case.clock.days == 10 and case.due_on == case.clock.due_on
    assert case.intake_clock.state == Clock.State.STOPPED
    steps = list(case.steps.order_by("position"))
    assert [(s.name, s.state) for s in steps] == [
        ("受理", "done"),
        ("审查", "pending"),
        ("审核", "pending"),
        ("审批", "pending"),
    ]
    assert sum(s.days for s in steps) == 10
    notice = Notice.objects.get(case=case)
    assert notice.kind == NoticeKind.ACCEPTANCE and "决定予以受理" in notice.content["paragraphs"][0]
    assert AuditEvent.objects.filter(action="case.accepted", object_id=str(case.pk)).exists()


def test_it_refuses_to_accept_with_required_materials_missing(submitted_case, clerk):
    with pytest.raises(ApplicationError) as error:
        services.case_accept(case=submitted_case, actor=clerk, received=("M01", "M02"))
    assert error.value.code == "case.materials_missing"
    assert error.value.details["missing"] == ["经营场所使用证明", "从业人员健康证明"]
    submitted_case.refresh_from_db()
    assert submitted_case.state == CaseState.SUBMITTED
    assert submitted_case.materials.get(code="M01").status == MaterialStatus.MISSING  # nothing changed


def test_it_accepts_with_deferred_materials_and_a_due_date(submitted_case, clerk):
    case = services.case_accept(
        case=submitted_case, actor=clerk, received=("M01", "M02", "M04"), deferred_materials=("M03",)
    )

    assert case.state == CaseState.ACCEPTED_DEFERRED
    deferral = DeferredMaterial.objects.get(case=case)
    assert deferral.material.code == "M03" and deferral.due_on == deferral.clock.due_on
    assert Notice.objects.get(case=case).kind == NoticeKind.DEFERRED


def test_it_refuses_to_defer_a_key_material(submitted_case, clerk):
    with pytest.raises(ApplicationError) as error:
        services.case_accept(
            case=submitted_case, actor=clerk, received=("M02", "M03", "M04"), deferred_materials=("M01",)
        )
    assert error.value.code == "case.material_not_deferrable"
    assert DeferredMaterial.objects.count() == 0


@override_settings(YIWANG_CASES={"CREDIT_POLICY": "yiwang.cases.tests.services.test_case_accept.NoDeferrals"})
def test_it_asks_the_credit_policy_before_deferring(submitted_case, clerk):
    with pytest.raises(ApplicationError) as error:
        services.case_accept(
            case=submitted_case, actor=clerk, received=("M01", "M02", "M04"), deferred_materials=("M03",)
        )
    assert error.value.code == "case.deferral_not_permitted" and "D类" in error.value.message
    submitted_case.refresh_from_db()
    assert submitted_case.state == CaseState.SUBMITTED


def test_it_accepts_a_pledge_instead_of_a_proof(submitted_case, clerk):
    case = services.case_accept(
        case=submitted_case, actor=clerk, received=("M01", "M02", "M03"), pledged_materials=("M04",)
    )

    pledge = Pledge.objects.get(case=case)
    assert [m.code for m in pledge.materials.all()] == ["M04"] and case.has_pledge
    assert case.materials.get(code="M04").status == MaterialStatus.PLEDGED


def test_it_refuses_a_pledge_for_a_material_that_needs_proof(submitted_case, clerk):
    with pytest.raises(ApplicationError) as error:
        services.case_accept(
            case=submitted_case, actor=clerk, received=("M01", "M02", "M04"), pledged_materials=("M03",)
        )
    assert error.value.code == "case.material_not_pledgeable"


def test_it_bars_pledges_after_a_false_one(submitted_case, clerk, meixian):
    FalsePledgeRecord.objects.create(
        applicant_name="王秀兰",
        applicant_id_number_hash=submitted_case.applicant_id_number_hash,
        case=submitted_case,
        verification=_verification(submitted_case),
        region=meixian.county,
        finding="健康证明系伪造",
        recorded_at=submitted_case.submitted_at,
    )
    with pytest.raises(ApplicationError) as error:
        services.case_accept(
            case=submitted_case, actor=clerk, received=("M01", "M02", "M03"), pledged_materials=("M04",)
        )
    assert error.value.code == "case.pledge_barred"


def _verification(case):
    from yiwang.cases.models import PledgeVerification

    pledge = Pledge.objects.create(case=case, text="t", signed_by="王秀兰", signed_at=case.submitted_at)
    return PledgeVerification.objects.create(
        pledge=pledge, case=case, department=case.department, region=case.region, due_on=case.submitted_at.date()
    )


def test_it_refuses_a_clerk_of_another_hall(submitted_case, clerk, town_hall):
    from yiwang.org.models import Membership, Role
    from yiwang.org.tests.factories import UserFactory

    services.case_correction_request(case=submitted_case, actor=clerk, entries=[{"code": "M03", "problem": "missing"}])
    other = UserFactory(username="town-clerk")
    Membership.objects.create(user=other, role=Role.CLERK, hall=town_hall)
    with pytest.raises(ApplicationError) as error:
        services.case_reject(
            case=submitted_case, actor=other, reason="不属于本机关职权", legal_basis="行政许可法第三十二条"
        )
    assert error.value.code == "case.clerk_outside_hall" and error.value.status == 403
    submitted_case.refresh_from_db()
    assert submitted_case.state == CaseState.CORRECTION_REQUESTED


def test_it_refuses_someone_who_is_not_a_clerk(submitted_case, handler_a):
    with pytest.raises(ApplicationError) as error:
        services.case_accept(case=submitted_case, actor=handler_a, received=ALL)
    assert error.value.code == "case.not_a_clerk"


def test_it_refuses_to_accept_twice(accepted_case, clerk):
    with pytest.raises(ApplicationError) as error:
        services.case_accept(case=accepted_case, actor=clerk, received=ALL)
    assert error.value.code == "case.invalid_transition" and error.value.status == 409


def test_it_rejects_with_reason_and_basis(submitted_case, clerk):
    case = services.case_reject(
        case=submitted_case,
        actor=clerk,
        reason="申请事项不属于本机关职权范围",
        legal_basis="《行政许可法》第三十二条第一款第（二）项",
    )
    assert case.state == CaseState.REJECTED and case.closed_at
    assert Notice.objects.get(case=case).kind == NoticeKind.REJECTION


@pytest.mark.parametrize(
    ("reason", "basis", "code"),
    [("", "依据", "case.reason_required"), ("理由", " ", "case.legal_basis_required")],
)
def test_it_refuses_a_rejection_without_reason_or_basis(submitted_case, clerk, reason, basis, code):
    with pytest.raises(ApplicationError) as error:
        services.case_reject(case=submitted_case, actor=clerk, reason=reason, legal_basis=basis)
    assert error.value.code == code
    submitted_case.refresh_from_db()
    assert submitted_case.state == CaseState.SUBMITTED


def test_it_withdraws_before_acceptance(submitted_case, citizen):
    case = services.case_withdraw(case=submitted_case, actor=citizen)
    assert case.state == CaseState.WITHDRAWN


def test_it_does_not_let_a_stranger_withdraw(submitted_case, enterprise_user):
    with pytest.raises(ApplicationError) as error:
        services.case_withdraw(case=submitted_case, actor=enterprise_user)
    assert error.value.code == "case.not_your_case"


def test_the_first_step_is_done_by_the_acceptance(accepted_case, clerk):
    first = accepted_case.steps.get(position=1)
    assert first.state == ReviewStep.State.DONE and first.completed_by == clerk
