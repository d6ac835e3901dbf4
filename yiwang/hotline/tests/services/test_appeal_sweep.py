from django.utils import timezone

from yiwang.core.models import OutboxMessage
from yiwang.hotline import services
from yiwang.hotline.models import AppealEvent


def test_it_reminds_before_the_due_day_and_reports_overdue_after(handler_a, signed_off, travel):
    today = timezone.localdate()
    with travel.to(travel.after_workdays(today, 1)):
        assert services.appeal_sweep().reminders == 0

    with travel.to(travel.after_workdays(today, 4)):
        report = services.appeal_sweep()
        again = services.appeal_sweep()
    assert report.reminders == 1 and again.reminders == 0
    assert AppealEvent.objects.filter(appeal=signed_off, kind="reminder").count() == 1

    with travel.to(travel.after_workdays(today, 6)):
        report = services.appeal_sweep()
        again = services.appeal_sweep()
    assert report.overdue == 1 and report.codes == [signed_off.code]
    assert again.overdue == 0
    assert AppealEvent.objects.filter(appeal=signed_off, kind="overdue").count() == 1
    assert OutboxMessage.objects.filter(body__contains="超期通报").exists()


def test_it_reports_an_unsigned_dispatch_after_the_sign_off_limit(handler_a, dispatched, travel):
    with travel.to(travel.after_workdays(timezone.localdate(), 2)):
        report = services.appeal_sweep()

    assert report.overdue == 1
    assert AppealEvent.objects.get(appeal=dispatched, kind="overdue").note.startswith(
        f"诉求 {dispatched.code} 派单后未"
    )


def test_it_leaves_replied_appeals_alone(replied, travel):
    with travel.to(travel.after_workdays(timezone.localdate(), 10)):
        report = services.appeal_sweep()
    assert report.reminders == report.overdue == 0
