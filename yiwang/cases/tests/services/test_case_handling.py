import datetime as dt

import pytest

from yiwang.cases import services
from yiwang.cases.models import CasePause, CaseState, Decision, Extension, ReviewStep
from yiwang.core.errors import ApplicationError
from yiwang.core.models import AuditEvent
from yiwang.workdays.models import Clock

from ..clock import at
from ..conftest import complete_steps

pytestmark = pytest.mark.django_db


def test_assignment_starts_the_review_and_the_first_department_step(accepted_case, handler_a):
    case = services.case_assign(case=accepted_case, actor=handler_a)

    assert case.state == CaseState.IN_REVIEW and case.assigned_to == handler_a
    step = case.steps.get(state=ReviewStep.State.ACTIVE)
    assert step.name == "审查" and step.clock.days == step.days and step.due_on


def test_a_handler_of_another_department_cannot_act(accepted_case, handler_b):
    with pytest.raises(ApplicationError) as error:
        services.case_assign(case=accepted_case, actor=handler_b)
    assert error.value.code == "case.not_your_department" and error.value.status == 403
    accepted_case.refresh_from_db()
    assert accepted_case.state == CaseState.ACCEPTED


def test_it_cannot_assign_to_someone_outside_the_department(accepted_case, handler_a, handler_b):
    with pytest.raises(ApplicationError) as error:
        services.case_assign(case=accepted_case, actor=handler_a, handler=handler_b)
    assert error.value.code == "case.assignee_outside_department"


def test_steps_advance_with_opinions(review_case, handler_a):
    step = services.review_step_complete(case=review_case, actor=handler_a, opinion="材料真实完整")
    assert step.name == "审查" and step.state == ReviewStep.State.DONE and step.clock.state == Clock.State.STOPPED
    assert review_case.steps.get(state=ReviewStep.State.ACTIVE).name == "审核"


def test_a_step_needs_an_opinion(review_case, handler_a):
    with pytest.raises(ApplicationError) as error:
        services.review_step_complete(case=review_case, actor=handler_a, opinion=" ")
    assert error.value.code == "case.opinion_required"


def test_the_last_step_is_the_decision(review_case, handler_a):
    complete_steps(review_case, handler_a)
    with pytest.raises(ApplicationError) as error:
        services.review_step_complete(case=review_case, actor=handler_a, opinion="同意")
    assert error.value.code == "case.decision_required"


def test_it_refuses_a_decision_before_the_steps(review_case, handler_a):
    with pytest.raises(ApplicationError) as error:
        services.case_decide(case=review_case, actor=handler_a, outcome="approved", reasons="符合条件")
    assert error.value.code == "case.steps_incomplete" and "审查" in error.value.message


def test_it_decides_with_reasons_and_measures_the_time(review_case, handler_a):
    complete_steps(review_case, handler_a)
    decision = services.case_decide(
        case=review_case,
        actor=handler_a,
        outcome="approved",
        reasons="申请材料齐全，经营场所符合要求",
        legal_basis="食品安全法第三十五条",
    )
    case = decision.case
    case.refresh_from_db()
    assert case.state == CaseState.DECIDED_APPROVED and case.on_time is True and case.decided_workdays == 0
    assert case.clock.state == Clock.State.STOPPED
    assert case.notices.filter(kind="decision").exists()
    assert AuditEvent.objects.filter(action="case.decided", object_id=str(case.pk)).exists()


@pytest.mark.parametrize(
    ("outcome", "reasons", "code"), [("approved", " ", "case.reasons_required"), ("maybe", "x", "case.outcome_invalid")]
)
def test_it_refuses_a_decision_without_reasons(review_case, handler_a, outcome, reasons, code):
    complete_steps(review_case, handler_a)
    with pytest.raises(ApplicationError) as error:
        services.case_decide(case=review_case, actor=handler_a, outcome=outcome, reasons=reasons)
    assert error.value.code == code
    review_case.refresh_from_db()
    assert review_case.state == CaseState.IN_REVIEW and not Decision.objects.exists()


def test_a_second_decision_on_a_stale_copy_is_refused(review_case, handler_a, dept_a):
    """Two handlers open the same case; the second acts on a stale copy. The row lock re-reads it."""
    from yiwang.org.models import Membership, Role
    from yiwang.org.tests.factories import UserFactory

    colleague = UserFactory(username="colleague")
    Membership.objects.create(user=colleague, role=Role.HANDLER, department=dept_a)
    complete_steps(review_case, handler_a)
    stale = type(review_case).objects.get(pk=review_case.pk)
    services.case_decide(case=review_case, actor=handler_a, outcome="approved", reasons="符合条件")
    assert stale.state == CaseState.IN_REVIEW
    with pytest.raises(ApplicationError) as error:
        services.case_decide(case=stale, actor=colleague, outcome="denied", reasons="不符合条件")
    assert error.value.code == "case.invalid_transition"
    assert Decision.objects.get().outcome == "approved"


def test_pause_stops_the_clock_and_resume_moves_the_due_day(review_case, handler_a):
    due_before = review_case.due_on
    with at(dt.date(2026, 3, 2)):
        pass
    pause = services.case_pause(case=review_case, actor=handler_a, kind="expert_review", reason="组织专家评审消防安全")
    review_case.refresh_from_db()
    assert review_case.state == CaseState.PAUSED and review_case.clock.state == Clock.State.PAUSED
    step = review_case.steps.get(state=ReviewStep.State.ACTIVE)
    assert step.clock.state == Clock.State.PAUSED
    case = services.case_resume(case=review_case, actor=handler_a)
    assert case.state == CaseState.IN_REVIEW
    pause.refresh_from_db()
    assert pause.resumed_on is not None and case.due_on >= due_before


def test_pause_needs_a_statutory_kind_and_a_reason(review_case, handler_a):
    with pytest.raises(ApplicationError) as error:
        services.case_pause(case=review_case, actor=handler_a, kind="lunch", reason="午休")
    assert error.value.code == "case.pause_kind_invalid"
    with pytest.raises(ApplicationError) as error:
        services.case_pause(case=review_case, actor=handler_a, kind="hearing", reason="")
    assert error.value.code == "case.reason_required"
    assert not CasePause.objects.exists()


def test_a_paused_case_cannot_be_decided(review_case, handler_a):
    complete_steps(review_case, handler_a)
    services.case_pause(case=review_case, actor=handler_a, kind="hearing", reason="依申请举行听证")
    with pytest.raises(ApplicationError) as error:
        services.case_decide(case=review_case, actor=handler_a, outcome="approved", reasons="符合条件")
    assert error.value.code == "case.invalid_transition"


def test_resume_needs_a_pause(review_case, handler_a):
    with pytest.raises(ApplicationError) as error:
        services.case_resume(case=review_case, actor=handler_a)
    assert error.value.code == "case.invalid_transition"


def test_an_extension_adds_ten_working_days_once(review_case, handler_a, leader):
    due = review_case.due_on
    extension = services.case_extension_request(case=review_case, actor=handler_a, reason="需征求县消防救援大队意见")
    with pytest.raises(ApplicationError) as error:
        services.case_extension_request(case=review_case, actor=handler_a, reason="再延一次")
    assert error.value.code == "case.extension_used"
    with pytest.raises(ApplicationError) as error:
        services.case_extension_decide(extension=extension, actor=handler_a, approve=True)
    assert error.value.code == "case.extension_self_approval"

    services.case_extension_decide(extension=extension, actor=leader, approve=True, note="同意")
    review_case.refresh_from_db()
    assert review_case.extended and review_case.clock.days == 20
    from yiwang.workdays.selectors import count_workdays

    assert count_workdays(due, review_case.due_on) == 10
    with pytest.raises(ApplicationError) as error:
        services.case_extension_request(case=review_case, actor=handler_a, reason="第三次")
    assert error.value.code == "case.extension_used"


def test_a_refused_extension_needs_a_note_and_leaves_the_clock(review_case, handler_a, leader):
    extension = services.case_extension_request(case=review_case, actor=handler_a, reason="需现场勘验")
    with pytest.raises(ApplicationError) as error:
        services.case_extension_decide(extension=extension, actor=leader, approve=False)
    assert error.value.code == "case.note_required"
    services.case_extension_decide(extension=extension, actor=leader, approve=False, note="可在时限内办结")
    review_case.refresh_from_db()
    assert not review_case.extended and review_case.clock.days == 10
    assert Extension.objects.get().state == Extension.State.REFUSED


def test_an_instant_case_cannot_be_extended(citizen, person, instant_item, clerk, handler_a):
    case = services.case_submit(
        actor=citizen, applicant=person, item=instant_item, form_data={"applicant_address": "眉县"}
    )
    services.case_accept(case=case, actor=clerk, received=("M01",))
    services.case_assign(case=case, actor=handler_a)
    with pytest.raises(ApplicationError) as error:
        services.case_extension_request(case=case, actor=handler_a, reason="忙")
    assert error.value.code == "case.instant_not_extendable"


def test_approval_waits_for_deferred_materials(submitted_case, clerk, handler_a, citizen):
    from ..factories import pdf_file

    case = services.case_accept(
        case=submitted_case, actor=clerk, received=("M01", "M02", "M04"), deferred_materials=("M03",)
    )
    services.case_assign(case=case, actor=handler_a)
    complete_steps(case, handler_a)
    with pytest.raises(ApplicationError) as error:
        services.case_decide(case=case, actor=handler_a, outcome="approved", reasons="符合条件")
    assert error.value.code == "case.deferred_outstanding"

    services.case_material_upload(case=case, material_code="M03", upload=pdf_file("租赁合同.pdf"), actor=citizen)
    assert case.deferred.get().supplied_at is not None
    services.case_decide(case=case, actor=handler_a, outcome="approved", reasons="符合条件")


def test_resuming_a_case_that_is_not_paused_is_refused_and_changes_nothing(accepted_case, handler_a):
    from yiwang.core.errors import ApplicationError

    state = accepted_case.state
    with pytest.raises(ApplicationError) as refused:
        services.case_resume(case=accepted_case, actor=handler_a)
    assert (refused.value.code, refused.value.status) == ("case.invalid_transition", 409)
    accepted_case.refresh_from_db()
    assert accepted_case.state == state
