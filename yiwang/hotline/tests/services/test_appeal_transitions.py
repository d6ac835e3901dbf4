"""Each transition of the appeal workflow: the state, the clocks and the records it leaves."""

import datetime as dt

import pytest
from django.utils import timezone

from yiwang.core.errors import ApplicationError
from yiwang.core.models import AuditEvent, InboxMessage, OutboxMessage
from yiwang.hotline import services
from yiwang.hotline.models import Appeal, Dispatch, Reply, Revisit
from yiwang.workdays.models import Clock
from yiwang.workdays.selectors import add_workdays


def kinds(appeal):
    return list(appeal.events.order_by("created_at", "pk").values_list("kind", flat=True))


def test_it_dispatches_with_sign_off_and_reply_clocks_from_the_calendar(handler_a, dispatched, dept_a):
    appeal = dispatched
    dispatch = Dispatch.objects.get(appeal=appeal)

    assert appeal.state == Appeal.State.DISPATCHED
    assert appeal.lead_department == dept_a
    today = timezone.localdate()
    assert dispatch.sign_off_clock.due_on == add_workdays(today, 1).due
    assert appeal.handling_clock.due_on == add_workdays(today, 5).due
    assert appeal.handling_clock.days == 5
    notice = InboxMessage.objects.get(user=handler_a, template="hotline.dispatched")
    assert appeal.code in notice.title and notice.link == f"/hotline/staff/appeals/{appeal.code}/"
    assert AuditEvent.objects.filter(action="hotline.appeal_dispatched").exists()


def test_it_counts_the_complex_tier_in_seven_working_days(make_appeal, operator, dept_a):
    appeal = services.appeal_dispatch(appeal=make_appeal(), department=dept_a, actor=operator, tier="complex")

    assert appeal.handling_clock.days == 7
    assert appeal.handling_clock.due_on == add_workdays(timezone.localdate(), 7).due


def test_it_counts_the_urgent_tier_in_wall_clock_hours(make_appeal, operator, dept_a):
    appeal = services.appeal_dispatch(appeal=make_appeal(), department=dept_a, actor=operator, tier="urgent")
    dispatch = appeal.dispatches.get()

    assert appeal.handling_clock is None
    assert appeal.reply_due_at == appeal.dispatched_at + dt.timedelta(hours=24)
    assert dispatch.sign_off_due_at == dispatch.dispatched_at + dt.timedelta(hours=1)


def test_it_keeps_co_departments_on_the_dispatch(make_appeal, operator, dept_a, dept_b):
    appeal = services.appeal_dispatch(
        appeal=make_appeal(), department=dept_a, co_departments=[dept_b, dept_a], actor=operator
    )

    assert list(appeal.dispatches.get().co_departments.all()) == [dept_b]


def test_it_signs_off_on_time(signed_off):
    dispatch = signed_off.dispatches.get()

    assert signed_off.state == Appeal.State.SIGNED_OFF
    assert dispatch.responded_on_time is True
    assert dispatch.sign_off_clock.state == Clock.State.STOPPED


def test_it_records_a_late_sign_off_against_the_response_rate(dispatched, handler_a, travel):
    late = travel.after_workdays(timezone.localdate(), 3)
    with travel.to(late):
        appeal = services.appeal_sign_off(appeal=dispatched, actor=handler_a)

    assert appeal.state == Appeal.State.SIGNED_OFF
    assert appeal.dispatches.get().responded_on_time is False


def test_it_replies_and_stops_the_clock(replied):
    reply = Reply.objects.get(appeal=replied)

    assert replied.state == Appeal.State.REPLIED
    assert reply.on_time is True and reply.round == 1
    assert replied.handling_clock.state == Clock.State.STOPPED
    sms = OutboxMessage.objects.get(dedupe_key__startswith=f"appeal:{replied.pk}:reply:{reply.pk}:sms:")
    assert sms.body.startswith("【眉县12345】您反映的诉求") and replied.code in sms.body


def test_it_refuses_a_reply_without_content(signed_off, handler_a):
    with pytest.raises(ApplicationError) as error:
        services.appeal_reply(appeal=signed_off, content="  ", actor=handler_a)

    assert error.value.code == "appeal.reply_content_required"
    signed_off.refresh_from_db()
    assert signed_off.state == Appeal.State.SIGNED_OFF
    assert not Reply.objects.exists()


def test_it_records_a_late_reply(signed_off, handler_a, travel):
    with travel.to(travel.after_workdays(timezone.localdate(), 6)):
        reply = services.appeal_reply(appeal=signed_off, content="路面已修补完毕，积水已清理。", actor=handler_a)

    assert reply.on_time is False


def test_it_closes_after_a_satisfied_revisit(replied, operator):
    revisit = services.appeal_revisit(appeal=replied, resolved=True, satisfaction=5, actor=operator)

    replied.refresh_from_db()
    assert revisit.outcome == Revisit.Outcome.CLOSED
    assert replied.state == Appeal.State.CLOSED and replied.closed_at is not None
    assert kinds(replied)[-2:] == ["revisited", "closed"]


def test_it_reopens_with_a_new_clock_when_dissatisfied_within_power(replied, operator, handler_a, travel):
    first_clock = replied.handling_clock
    later = travel.after_workdays(timezone.localdate(), 2)
    with travel.to(later):
        revisit = services.appeal_revisit(
            appeal=replied, resolved=False, satisfaction=2, within_power=True, comment="路面仍有坑洼", actor=operator
        )
    replied.refresh_from_db()

    assert revisit.outcome == Revisit.Outcome.REOPENED
    assert replied.state == Appeal.State.REOPENED and replied.reopen_count == 1
    assert replied.handling_clock != first_clock
    assert replied.handling_clock.due_on == add_workdays(later.date(), 5).due

    with travel.to(later):
        reply = services.appeal_reply(appeal=replied, content="已再次组织修补并验收，路面平整。", actor=handler_a)
    assert reply.round == 2


def test_it_closes_when_dissatisfaction_is_outside_the_departments_power(replied, operator):
    services.appeal_revisit(appeal=replied, resolved=False, satisfaction=1, within_power=False, actor=operator)

    replied.refresh_from_db()
    assert replied.state == Appeal.State.CLOSED


def test_it_reopens_only_up_to_the_limit(replied, operator, handler_a):
    services.appeal_revisit(appeal=replied, resolved=False, satisfaction=2, within_power=True, actor=operator)
    services.appeal_reply(appeal=replied, content="已再次组织修补并验收，路面平整。", actor=handler_a)
    services.appeal_revisit(appeal=replied, resolved=False, satisfaction=2, within_power=True, actor=operator)

    replied.refresh_from_db()
    assert replied.state == Appeal.State.CLOSED and replied.reopen_count == 1


def test_it_refuses_a_revisit_before_the_reply(signed_off, operator):
    with pytest.raises(ApplicationError) as error:
        services.appeal_revisit(appeal=signed_off, resolved=True, satisfaction=5, actor=operator)

    assert error.value.code == "appeal.invalid_transition"
    assert error.value.status == 409
    assert not Revisit.objects.exists()


def test_it_answers_a_consultation_on_the_spot(make_appeal, operator, knowledge):
    appeal = make_appeal(
        kind="consultation", title="营业执照怎么办", content="想开个农家乐，个体工商户营业执照怎么办理？"
    )

    appeal = services.appeal_answer(appeal=appeal, content="", knowledge_entry=knowledge, actor=operator)

    assert appeal.state == Appeal.State.ANSWERED
    assert appeal.replies.get().content == knowledge.answer
    knowledge.refresh_from_db()
    assert knowledge.use_count == 1


def test_it_answers_only_consultations_on_the_spot(make_appeal, operator, knowledge):
    with pytest.raises(ApplicationError) as error:
        services.appeal_answer(appeal=make_appeal(), content="", knowledge_entry=knowledge, actor=operator)
    assert error.value.code == "appeal.answer_only_consultation"


def test_it_declines_an_emergency_with_the_advice(make_appeal, operator):
    appeal = make_appeal(title="路口发生车祸", content="刚刚发生了车祸，有人受伤倒在路边")
    assert appeal.screening == Appeal.DeclineReason.TRAFFIC_122

    appeal = services.appeal_decline(appeal=appeal, reason=appeal.screening, actor=operator)

    assert appeal.state == Appeal.State.DECLINED
    assert "122" in appeal.decline_advice
    assert OutboxMessage.objects.filter(
        dedupe_key__startswith=f"appeal:{appeal.pk}:declined:", body__contains="122"
    ).exists()


def test_it_declines_a_matter_in_litigation(make_appeal, operator):
    appeal = make_appeal(title="工程款纠纷", content="我们已经向法院起诉了，希望政府督促对方付款")

    appeal = services.appeal_decline(appeal=appeal, reason="litigation", actor=operator)

    assert appeal.state == Appeal.State.DECLINED
    assert "法院" in appeal.decline_advice


def test_it_refuses_to_decline_a_dispatched_appeal(dispatched, operator):
    with pytest.raises(ApplicationError) as error:
        services.appeal_decline(appeal=dispatched, reason="petition", actor=operator)
    assert error.value.code == "appeal.invalid_transition"


def test_it_lets_only_dispatchers_dispatch(make_appeal, handler_a, dept_a):
    appeal = make_appeal()
    with pytest.raises(ApplicationError) as error:
        services.appeal_dispatch(appeal=appeal, department=dept_a, actor=handler_a)

    assert error.value.code == "appeal.forbidden"
    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.RECEIVED
