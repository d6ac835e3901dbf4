import pytest
from django.utils import timezone

from yiwang.core.errors import ApplicationError
from yiwang.hotline import services
from yiwang.hotline.models import Appeal, Dispatch, ReturnRequest
from yiwang.workdays.models import Clock

REASON = "道路养护属交通运输部门职责，不属于本部门"


def test_it_returns_before_the_sign_off_limit(dispatched, handler_a):
    request = services.appeal_return(appeal=dispatched, reason=REASON, actor=handler_a)

    dispatched.refresh_from_db()
    assert dispatched.state == Appeal.State.RETURNED
    assert request.state == ReturnRequest.State.PENDING
    assert request.dispatch.responded_on_time is True


def test_it_refuses_a_return_after_the_sign_off_limit(dispatched, handler_a, travel):
    with travel.to(travel.after_workdays(timezone.localdate(), 2)), pytest.raises(ApplicationError) as error:
        services.appeal_return(appeal=dispatched, reason=REASON, actor=handler_a)

    assert error.value.code == "appeal.return_after_limit"
    assert error.value.status == 409
    dispatched.refresh_from_db()
    assert dispatched.state == Appeal.State.DISPATCHED
    assert not ReturnRequest.objects.exists()


def test_it_refuses_a_return_without_a_reason(dispatched, handler_a):
    with pytest.raises(ApplicationError) as error:
        services.appeal_return(appeal=dispatched, reason="", actor=handler_a)
    assert error.value.code == "appeal.return_reason_required"


def test_it_refuses_a_return_by_another_department(dispatched, handler_b):
    with pytest.raises(ApplicationError) as error:
        services.appeal_return(appeal=dispatched, reason=REASON, actor=handler_b)
    assert error.value.code == "appeal.forbidden"


def test_it_refuses_a_second_return_of_the_same_dispatch(dispatched, handler_a, operator):
    request = services.appeal_return(appeal=dispatched, reason=REASON, actor=handler_a)
    services.appeal_return_decide(return_request=request, approve=False, note="经核实属贵单位职责", actor=operator)

    with pytest.raises(ApplicationError) as error:
        services.appeal_return(appeal=dispatched, reason=REASON + "（再次）", actor=handler_a)

    assert error.value.code == "appeal.return_limit"
    assert ReturnRequest.objects.count() == 1
    dispatched.refresh_from_db()
    assert dispatched.state == Appeal.State.DISPATCHED


def test_it_redispatches_an_approved_return_with_new_clocks(dispatched, handler_a, handler_b, operator, dept_b):
    old_clock = dispatched.handling_clock
    request = services.appeal_return(appeal=dispatched, reason=REASON, actor=handler_a)

    appeal = services.appeal_return_decide(return_request=request, approve=True, department=dept_b, actor=operator)

    assert appeal.state == Appeal.State.DISPATCHED
    assert appeal.lead_department == dept_b and appeal.return_count == 1
    assert appeal.handling_clock != old_clock
    old_clock.refresh_from_db()
    assert old_clock.state == Clock.State.STOPPED
    assert appeal.dispatches.filter(state=Dispatch.State.ACTIVE).get().department == dept_b
    # The new department may return it once too; the old one may no longer act.
    with pytest.raises(ApplicationError):
        services.appeal_sign_off(appeal=appeal, actor=handler_a)
    services.appeal_sign_off(appeal=appeal, actor=handler_b)


def test_it_needs_another_department_to_approve_a_return(dispatched, handler_a, operator, dept_a):
    request = services.appeal_return(appeal=dispatched, reason=REASON, actor=handler_a)

    with pytest.raises(ApplicationError) as error:
        services.appeal_return_decide(return_request=request, approve=True, department=dept_a, actor=operator)

    assert error.value.code == "appeal.redispatch_department_required"
    request.refresh_from_db()
    assert request.state == ReturnRequest.State.PENDING


def test_it_refuses_a_return_after_sign_off(signed_off, handler_a):
    with pytest.raises(ApplicationError) as error:
        services.appeal_return(appeal=signed_off, reason=REASON, actor=handler_a)
    assert error.value.code == "appeal.invalid_transition"


def test_it_audits_the_department_before_and_after_a_redispatch(
    make_appeal, handler_a, operator, dept_a, dept_b, categories
):
    from yiwang.core.models import AuditEvent

    appeal = make_appeal()
    services.appeal_dispatch(appeal=appeal, department=dept_a, actor=operator, category=categories["roads"])
    first = AuditEvent.objects.get(action="hotline.appeal_dispatched", object_id=str(appeal.pk))
    assert first.before["lead_department"] is None and first.before["state"] == Appeal.State.RECEIVED
    assert first.after["lead_department"] == dept_a.pk

    request = services.appeal_return(appeal=appeal, reason=REASON, actor=handler_a)
    services.appeal_return_decide(return_request=request, approve=True, department=dept_b, actor=operator)

    event = AuditEvent.objects.get(action="hotline.appeal_return_approved", object_id=str(appeal.pk))
    assert event.before["lead_department"] == dept_a.pk
    assert event.before["state"] == Appeal.State.RETURNED and event.before["return_count"] == 0
    assert event.after["lead_department"] == dept_b.pk
    assert event.after["state"] == Appeal.State.DISPATCHED and event.after["return_count"] == 1


def test_it_refuses_to_dispatch_a_returned_appeal_around_the_return_decision(dispatched, handler_a, operator, dept_b):
    """Dispatching an appeal whose return awaits the dispatcher's decision used to fail on the
    database's one-active-dispatch rule (IntegrityError); it is a refused transition."""
    services.appeal_return(appeal=dispatched, reason=REASON, actor=handler_a)

    with pytest.raises(ApplicationError) as error:
        services.appeal_dispatch(appeal=dispatched, department=dept_b, actor=operator)

    assert error.value.code == "appeal.invalid_transition" and error.value.status == 409
    dispatched.refresh_from_db()
    assert dispatched.state == Appeal.State.RETURNED
    assert Dispatch.objects.filter(appeal=dispatched).count() == 1
    assert ReturnRequest.objects.get(appeal=dispatched).state == ReturnRequest.State.PENDING
