"""The dashboard's header: overdue notices since a day, counted from that day's local midnight."""

import datetime as dt
from zoneinfo import ZoneInfo

from yiwang.hotline.models import AppealEvent
from yiwang.hotline.selectors import appeal_open_work

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_it_counts_the_overdue_notices_from_local_midnight_of_the_day(replied, leader):
    def notice(local: dt.datetime, kind=AppealEvent.Kind.OVERDUE):
        AppealEvent.objects.create(
            appeal=replied, region=replied.region, kind=kind, created_at=local.replace(tzinfo=SHANGHAI)
        )

    notice(dt.datetime(2026, 6, 1, 0, 0))  # the first moment of the day counts
    notice(dt.datetime(2026, 6, 1, 7, 59))  # 23:59 UTC the day before: still 1 June in Meixian
    notice(dt.datetime(2026, 5, 31, 23, 59, 59))  # the day before: not counted
    notice(dt.datetime(2026, 6, 2, 9, 0), kind=AppealEvent.Kind.DISPATCHED)  # not an overdue notice

    _, overdue = appeal_open_work(user=leader, since=dt.date(2026, 6, 1))

    assert overdue == 2
