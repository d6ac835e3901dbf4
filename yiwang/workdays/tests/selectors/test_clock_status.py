import datetime as dt

import pytest

from yiwang.workdays.selectors import clock_status, clock_used_workdays
from yiwang.workdays.services import clock_pause, clock_stop
from yiwang.workdays.tests.factories import start_clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock():
    # Monday 2026-03-02 + 10 working days → Monday 2026-03-16; 80 % = 8 days used on 2026-03-12.
    return start_clock(dt.date(2026, 3, 2), 10)


def test_it_is_normal_until_eighty_percent_is_used(clock):
    assert clock.due_on == dt.date(2026, 3, 16)
    assert clock_used_workdays(clock, dt.date(2026, 3, 11)) == 7
    assert clock_status(clock, dt.date(2026, 3, 2)) == "normal"
    assert clock_status(clock, dt.date(2026, 3, 11)) == "normal"


def test_it_warns_once_eighty_percent_is_used(clock):
    assert clock_status(clock, dt.date(2026, 3, 12)) == "warning"
    assert clock_status(clock, dt.date(2026, 3, 14)) == "warning"  # Saturday: still 9 of 10 used


def test_it_is_due_on_the_due_day_and_overdue_after(clock):
    assert clock_status(clock, dt.date(2026, 3, 16)) == "due"
    assert clock_status(clock, dt.date(2026, 3, 17)) == "overdue"


def test_it_honours_a_custom_warning_ratio():
    clock = start_clock(dt.date(2026, 3, 2), 10, warning_ratio=0.5)
    assert clock_status(clock, dt.date(2026, 3, 6)) == "normal"  # 4 used
    assert clock_status(clock, dt.date(2026, 3, 9)) == "warning"  # 5 used


def test_it_stands_still_while_paused(clock):
    clock = clock_pause(clock=clock, on=dt.date(2026, 3, 4), reason="专家评审", actor=None)
    # Weeks later the clock still stands on its pause day: 2 days used, not overdue.
    assert clock_status(clock, dt.date(2026, 4, 30)) == "normal"
    assert clock_used_workdays(clock, dt.date(2026, 4, 30)) == 2


def test_it_judges_a_stopped_clock_on_the_day_it_stopped(clock):
    clock = clock_stop(clock=clock, actor=None, on=dt.date(2026, 3, 13))
    assert clock_status(clock, dt.date(2026, 12, 31)) == "warning"
    late = clock_stop(clock=start_clock(dt.date(2026, 3, 2), 10), actor=None, on=dt.date(2026, 3, 18))
    assert clock_status(late, dt.date(2026, 12, 31)) == "overdue"


def test_it_is_due_on_the_start_day_for_an_instant_item():
    clock = start_clock(dt.date(2026, 3, 2), 0, label="即办件")
    assert clock.due_on == dt.date(2026, 3, 2)
    assert clock_status(clock, dt.date(2026, 3, 2)) == "due"
    assert clock_status(clock, dt.date(2026, 3, 3)) == "overdue"
