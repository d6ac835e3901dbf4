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


def test_it_counts_only_the_notices_of_appeals_in_scope_each_checked_by_its_key(replied, leader):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from yiwang.hotline.models import Appeal
    from yiwang.org.models import Region
    from yiwang.org.tests.factories import RegionFactory

    for hour in (9, 10, 11):
        AppealEvent.objects.create(
            appeal=replied,
            region=replied.region,
            kind=AppealEvent.Kind.OVERDUE,
            created_at=dt.datetime(2026, 6, 2, hour, tzinfo=SHANGHAI),
        )
    with CaptureQueriesContext(connection) as captured:
        _, overdue = appeal_open_work(user=leader, since=dt.date(2026, 6, 1))
        statements = [q["sql"] for q in captured.captured_queries]
    assert overdue == 3
    [count] = [s for s in statements if "hotline_appealevent" in s]
    # Each notice is checked by its appeal's key (EXISTS), not against a list of every appeal of the region,
    # which SQLite built first (188 ms of the dashboard at 254 k appeals).
    assert "EXISTS" in count and '"hotline_appealevent"."appeal_id" IN' not in count, count

    elsewhere = RegionFactory(level=Region.Level.COUNTY, parent=replied.region.parent, code="610327", name="陇县")
    Appeal.objects.filter(pk=replied.pk).update(region=elsewhere)
    assert appeal_open_work(user=leader, since=dt.date(2026, 6, 1))[1] == 0
