import datetime as dt

import pytest
from django.test import override_settings

from yiwang.workdays.deadlines import Deadline, DeadlineStatus, deadline_of_clock, worst
from yiwang.workdays.selectors import clock_status
from yiwang.workdays.services import clock_pause, clock_stop
from yiwang.workdays.tests.factories import start_clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def festival_clock():
    # Wed 2026-02-11 + 5 working days: 12, 13, Sat 14 (调休上班), then 春节 15–23 off, 24, 25 → due Wed 02-25.
    return start_clock(dt.date(2026, 2, 11), 5, label="补正审查")


def test_it_walks_through_every_status_across_the_2026_spring_festival(festival_clock):
    assert festival_clock.due_on == dt.date(2026, 2, 25)
    seen = {day: deadline_of_clock(festival_clock, today=dt.date(2026, 2, day)) for day in (12, 20, 24, 25, 26)}
    assert [seen[d].status for d in (12, 20, 24, 25, 26)] == ["normal", "normal", "warning", "due", "overdue"]
    # On a festival day three of five are used and two working days are left (24th, 25th).
    assert seen[20].workdays_left == 2
    assert seen[24].workdays_left == 1
    assert seen[25].workdays_left == 0
    assert (seen[26].workdays_left, seen[26].overdue_workdays) == (0, 1)


def test_it_never_counts_negative_days_long_after_the_due_day(festival_clock):
    late = deadline_of_clock(festival_clock, today=dt.date(2026, 8, 31))
    assert late.status == DeadlineStatus.OVERDUE
    assert late.workdays_left == 0
    assert late.overdue_workdays > 100


def test_it_counts_no_working_day_overdue_on_the_weekend_after_a_friday_due_day():
    clock = start_clock(dt.date(2026, 3, 12), 1)  # Thu → due Fri 03-13
    saturday = deadline_of_clock(clock, today=dt.date(2026, 3, 14))
    assert saturday.status == "overdue"
    assert (saturday.workdays_left, saturday.overdue_workdays) == (0, 0)


def test_it_labels_the_deadline_with_the_clock_label_unless_told(festival_clock):
    assert deadline_of_clock(festival_clock).label == "补正审查"
    assert deadline_of_clock(festival_clock, label="受理期限").label == "受理期限"


def test_it_stands_still_while_paused(festival_clock):
    clock = clock_pause(clock=festival_clock, on=dt.date(2026, 2, 13), reason="专家评审", actor=None)
    deadline = deadline_of_clock(clock, today=dt.date(2026, 4, 1))
    assert deadline.paused
    assert deadline.status == "normal"
    assert deadline.workdays_left == 3  # 14, 24, 25 still to come when it paused


def test_it_reports_a_stopped_clock_without_days_left(festival_clock):
    clock = clock_stop(clock=festival_clock, actor=None, on=dt.date(2026, 2, 27))
    deadline = deadline_of_clock(clock, today=dt.date(2026, 6, 1))
    assert deadline.stopped and deadline.workdays_left is None
    assert (deadline.status, deadline.overdue_workdays) == ("overdue", 2)


def test_it_uses_the_one_threshold_setting_for_new_clocks():
    with override_settings(YIWANG_WORKDAYS={"WARNING_RATIO": 0.5}):
        clock = start_clock(dt.date(2026, 3, 2), 10)
    assert clock.warning_ratio == 0.5
    assert clock_status(clock, dt.date(2026, 3, 9)) == "warning"  # 5 of 10 used


def test_it_refuses_a_negative_count():
    with pytest.raises(ValueError):
        Deadline(label="x", status="overdue", due_on=dt.date(2026, 3, 2), workdays_left=-120)


def test_it_picks_the_worst_deadline():
    day = dt.date(2026, 3, 2)
    normal = Deadline(label="a", status="normal", due_on=day)
    overdue_late = Deadline(label="b", status="overdue", due_on=day + dt.timedelta(days=3))
    overdue_early = Deadline(label="c", status="overdue", due_on=day + dt.timedelta(days=1))
    assert worst([normal, None, overdue_late, overdue_early]) is overdue_early
    assert worst([None]) is None
