import datetime as dt

from django.utils import timezone

from yiwang.core.models import InboxMessage
from yiwang.hotline import services
from yiwang.hotline.models import Appeal, AppealEvent, UnresolvedMatter
from yiwang.workdays.sweep import clocks_sweep


def test_it_reminds_before_the_due_day_and_reports_overdue_after(handler_a, dispatcher, signed_off, travel):
    today = timezone.localdate()
    with travel.to(travel.after_workdays(today, 1)):
        assert services.appeal_sweep().reminders == 0

    with travel.to(travel.after_workdays(today, 4)):
        report = services.appeal_sweep()
        again = services.appeal_sweep()
    assert report.reminders == 1 and again.reminders == 0
    assert AppealEvent.objects.filter(appeal=signed_off, kind="reminder").count() == 1
    assert InboxMessage.objects.filter(user=handler_a, template="hotline.reply_reminder").count() == 1

    with travel.to(travel.after_workdays(today, 6)):
        report = services.appeal_sweep()
        again = services.appeal_sweep()
    assert report.overdue == 1 and report.codes == [signed_off.code]
    assert again.overdue == 0
    assert AppealEvent.objects.filter(appeal=signed_off, kind="overdue").count() == 1
    # The overdue notice reaches the lead department and the 12345 dispatchers, once each.
    overdue = InboxMessage.objects.filter(template="hotline.reply_overdue")
    assert sorted(overdue.values_list("user__username", flat=True)) == ["dispatcher", "handler_a"]
    assert "超期通报" in overdue.first().title


def test_the_one_deadline_sweep_sends_the_same_notices_once(handler_a, signed_off, travel):
    """The workdays sweep (``manage.py workdays sweep``, beat ``workdays-sweep``) calls the hotline's
    handlers: running it and then the hotline alias sends nothing twice."""
    today = timezone.localdate()
    with travel.to(travel.after_workdays(today, 4)):
        assert clocks_sweep().reminders >= 1
        assert services.appeal_sweep().reminders == 0
    assert AppealEvent.objects.filter(appeal=signed_off, kind="reminder").count() == 1


def test_it_reports_an_unsigned_dispatch_after_the_sign_off_limit(handler_a, dispatched, travel):
    today = timezone.localdate()
    with travel.to(timezone.localtime().replace(hour=23, minute=0)):
        assert services.appeal_sweep().reminders == 0  # not on the day of dispatch
    with travel.to(travel.after_workdays(today, 1)):
        assert services.appeal_sweep().reminders == 1  # on the due day
        assert services.appeal_sweep().reminders == 0
    with travel.to(travel.after_workdays(today, 2)):
        report = services.appeal_sweep()

    assert report.overdue == 1
    assert AppealEvent.objects.get(appeal=dispatched, kind="overdue").note.startswith(
        f"诉求 {dispatched.code} 派单后未"
    )
    assert InboxMessage.objects.filter(user=handler_a, template="hotline.sign_off_overdue").count() == 1


def test_it_leaves_replied_appeals_alone(replied, travel):
    with travel.to(travel.after_workdays(timezone.localdate(), 10)):
        report = services.appeal_sweep()
    assert report.reminders == report.overdue == 0


def test_urgent_deadlines_are_counted_in_hours(make_appeal, operator, dept_a, handler_a, travel):
    appeal = make_appeal(tier=Appeal.Tier.URGENT)
    appeal = services.appeal_dispatch(appeal=appeal, department=dept_a, actor=operator)
    services.appeal_sign_off(appeal=appeal, actor=handler_a)
    start = Appeal.objects.get(pk=appeal.pk).dispatched_at

    with travel.to(start + dt.timedelta(hours=10)):
        assert services.appeal_urgent_sweep().reminders == 0
    with travel.to(start + dt.timedelta(hours=21)):  # 24 h limit, reminded 4 h before
        assert services.appeal_urgent_sweep().reminders == 1
        assert services.appeal_urgent_sweep().reminders == 0
    with travel.to(start + dt.timedelta(hours=25)):
        report = services.appeal_urgent_sweep()
        again = services.appeal_sweep()
    assert report.overdue == 1 and report.codes == [appeal.code] and again.overdue == 0
    assert AppealEvent.objects.filter(appeal=appeal, kind="overdue").count() == 1


def test_an_open_unresolved_matter_is_reminded_and_reported_once(operator, dept_a, handler_a, meixian, travel):
    matter = services.unresolved_register(
        channel=UnresolvedMatter.Channel.WINDOW,
        summary="跨部门材料互认",
        description="申请人反映两个部门要求重复提交同一份材料。",
        tier=UnresolvedMatter.Tier.COMPLEX,
        department=dept_a,
        actor=operator,
    )
    today = timezone.localdate()
    with travel.to(travel.after_workdays(today, 6)):
        clocks_sweep()
        clocks_sweep()
    with travel.to(travel.after_workdays(today, 8)):
        clocks_sweep()
        clocks_sweep()
    sent = InboxMessage.objects.filter(
        user=handler_a, template__in=["hotline.unresolved_reminder", "hotline.unresolved_overdue"]
    )
    assert sorted(sent.values_list("template", flat=True)) == [
        "hotline.unresolved_overdue",
        "hotline.unresolved_reminder",
    ]
    assert all(matter.code in message.body or matter.summary in message.body for message in sent)
