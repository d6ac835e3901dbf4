import datetime as dt

import pytest

from yiwang.workdays.models import ClockPause
from yiwang.workdays.services import clock_pause_close, clock_pause_open
from yiwang.workdays.tests.factories import start_clock

pytestmark = pytest.mark.django_db


def test_it_hands_the_opened_pause_row_to_the_caller_and_closes_that_row():
    clock = start_clock(dt.date(2026, 3, 2), 10)  # due 03-16
    opened = clock_pause_open(clock=clock, on=dt.date(2026, 3, 4), reason="补正材料", actor=None)
    assert isinstance(opened, ClockPause) and opened.pk
    assert (opened.clock.state, opened.resumed_on) == ("paused", None)

    closed = clock_pause_close(clock=opened.clock, on=dt.date(2026, 3, 6), actor=None)
    assert closed.pk == opened.pk
    assert (closed.resumed_on, closed.workdays) == (dt.date(2026, 3, 6), 2)
    assert closed.clock.state == "running"
    assert closed.clock.due_on == dt.date(2026, 3, 18)
    assert ClockPause.objects.get(pk=opened.pk).workdays == 2
