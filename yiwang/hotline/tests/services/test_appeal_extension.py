import pytest
from django.utils import timezone

from yiwang.core.errors import ApplicationError
from yiwang.hotline import services
from yiwang.hotline.models import ExtensionRequest
from yiwang.workdays.models import Clock
from yiwang.workdays.selectors import add_workdays

REASON = "需协调施工队和沥青材料，雨季施工受限"


def test_it_extends_by_working_days_after_approval(signed_off, handler_a, operator):
    old = signed_off.handling_clock
    request = services.appeal_extension_request(appeal=signed_off, days=3, reason=REASON, actor=handler_a)
    assert request.state == ExtensionRequest.State.PENDING

    request = services.appeal_extension_decide(extension=request, approve=True, actor=operator)

    signed_off.refresh_from_db()
    assert request.state == ExtensionRequest.State.APPROVED
    assert signed_off.handling_clock.days == 8
    assert signed_off.handling_clock.due_on == add_workdays(old.started_at, 8).due == request.new_due_on
    assert signed_off.extension_count == 1
    old.refresh_from_db()
    assert old.state == Clock.State.STOPPED


def test_it_approves_fewer_days_than_asked(signed_off, handler_a, operator):
    request = services.appeal_extension_request(appeal=signed_off, days=5, reason=REASON, actor=handler_a)
    request = services.appeal_extension_decide(extension=request, approve=True, days=2, actor=operator)

    assert request.days == 2
    signed_off.refresh_from_db()
    assert signed_off.handling_clock.days == 7


def test_it_refuses_an_extension_after_the_deadline(signed_off, handler_a, travel):
    with travel.to(travel.after_workdays(timezone.localdate(), 6)), pytest.raises(ApplicationError) as error:
        services.appeal_extension_request(appeal=signed_off, days=3, reason=REASON, actor=handler_a)

    assert error.value.code == "appeal.extension_after_deadline"
    assert not ExtensionRequest.objects.exists()


def test_it_allows_an_extension_on_the_due_day(signed_off, handler_a, travel):
    with travel.to(travel.after_workdays(timezone.localdate(), 5)):
        request = services.appeal_extension_request(appeal=signed_off, days=1, reason=REASON, actor=handler_a)
    assert request.pk


def test_it_refuses_a_second_pending_extension(signed_off, handler_a):
    services.appeal_extension_request(appeal=signed_off, days=3, reason=REASON, actor=handler_a)
    with pytest.raises(ApplicationError) as error:
        services.appeal_extension_request(appeal=signed_off, days=2, reason=REASON, actor=handler_a)
    assert error.value.code == "appeal.extension_pending"


def test_it_refuses_an_extension_before_sign_off(dispatched, handler_a):
    with pytest.raises(ApplicationError) as error:
        services.appeal_extension_request(appeal=dispatched, days=3, reason=REASON, actor=handler_a)
    assert error.value.code == "appeal.invalid_transition"


def test_it_refuses_too_many_days(signed_off, handler_a):
    with pytest.raises(ApplicationError) as error:
        services.appeal_extension_request(appeal=signed_off, days=30, reason=REASON, actor=handler_a)
    assert error.value.code == "appeal.bad_extension_days"


def test_it_lets_only_a_dispatcher_approve(signed_off, handler_a):
    request = services.appeal_extension_request(appeal=signed_off, days=3, reason=REASON, actor=handler_a)
    with pytest.raises(ApplicationError) as error:
        services.appeal_extension_decide(extension=request, approve=True, actor=handler_a)
    assert error.value.code == "appeal.forbidden"


def test_it_needs_a_note_to_reject(signed_off, handler_a, operator):
    request = services.appeal_extension_request(appeal=signed_off, days=3, reason=REASON, actor=handler_a)
    with pytest.raises(ApplicationError) as error:
        services.appeal_extension_decide(extension=request, approve=False, actor=operator)
    assert error.value.code == "appeal.decision_note_required"
    request = services.appeal_extension_decide(
        extension=request, approve=False, note="时限充足，请按期办结", actor=operator
    )
    assert request.state == ExtensionRequest.State.REJECTED
    signed_off.refresh_from_db()
    assert signed_off.handling_clock.days == 5


# --- a pending request is decided or withdrawn, never dropped by the reply ------------------------

REPLY = "已安排施工队对坑洼路段进行修补，预计本周内完工，请群众注意绕行。"


def test_a_reply_waits_for_the_pending_extension(signed_off, handler_a):
    request = services.appeal_extension_request(appeal=signed_off, days=3, reason=REASON, actor=handler_a)
    with pytest.raises(ApplicationError) as error:
        services.appeal_reply(appeal=signed_off, content=REPLY, actor=handler_a)

    assert error.value.code == "appeal.extension_pending_reply"
    request.refresh_from_db()
    assert request.state == ExtensionRequest.State.PENDING
    signed_off.refresh_from_db()
    assert signed_off.state == "signed_off"


def test_the_department_withdraws_with_a_reason_then_replies(signed_off, handler_a):
    from yiwang.core.models import AuditEvent

    request = services.appeal_extension_request(appeal=signed_off, days=3, reason=REASON, actor=handler_a)
    with pytest.raises(ApplicationError) as error:
        services.appeal_extension_withdraw(extension=request, reason="", actor=handler_a)
    assert error.value.code == "appeal.extension_withdraw_reason_required"

    request = services.appeal_extension_withdraw(
        extension=request, reason="施工队已提前到位，按期完成", actor=handler_a
    )

    assert request.state == ExtensionRequest.State.WITHDRAWN
    assert request.decided_by == handler_a
    assert "施工队已提前到位" in request.decision_note
    assert signed_off.events.filter(kind="extension_withdrawn").exists()
    assert AuditEvent.objects.filter(action="hotline.appeal_extension_withdrawn").exists()
    services.appeal_reply(appeal=signed_off, content=REPLY, actor=handler_a)
    signed_off.refresh_from_db()
    assert signed_off.state == "replied"
    request.refresh_from_db()
    assert request.state == ExtensionRequest.State.WITHDRAWN


def test_only_the_lead_department_withdraws_and_only_once(signed_off, handler_a, handler_b, operator):
    request = services.appeal_extension_request(appeal=signed_off, days=3, reason=REASON, actor=handler_a)
    with pytest.raises(ApplicationError) as error:
        services.appeal_extension_withdraw(extension=request, reason="与本部门无关的撤回", actor=handler_b)
    assert error.value.code == "appeal.forbidden"
    services.appeal_extension_decide(extension=request, approve=False, note="时限充足，请按期办结", actor=operator)
    with pytest.raises(ApplicationError) as error:
        services.appeal_extension_withdraw(extension=request, reason="已经不需要延期了", actor=handler_a)
    assert error.value.code == "appeal.extension_decided"
