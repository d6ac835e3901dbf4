import datetime as dt

from django.utils import timezone

from yiwang.workdays.services import clock_start


def start_clock(started_on: dt.date, days: int, *, label="行政许可 20 个工作日", hour=10, actor=None, **kwargs):
    started_at = timezone.make_aware(dt.datetime.combine(started_on, dt.time(hour)))
    return clock_start(label=label, started_at=started_at, days=days, actor=actor, **kwargs)
