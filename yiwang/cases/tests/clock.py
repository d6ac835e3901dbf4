"""Run services at a chosen moment (Asia/Shanghai), so deadlines across holidays can be checked."""

import datetime as dt
from contextlib import contextmanager
from unittest import mock
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


@contextmanager
def at(day: dt.date, hour: int = 10):
    moment = dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)
    with (
        mock.patch("yiwang.cases.services._common._now", return_value=moment),
        mock.patch("yiwang.cases.services._common._today", return_value=day),
    ):
        yield moment
