import datetime as dt

from django.utils import timezone

from yiwang.workdays.deadlines import deadline_in_hours

START = timezone.make_aware(dt.datetime(2026, 3, 2, 8, 0))
DUE = START + dt.timedelta(hours=10)


def at(hours: float):
    return START + dt.timedelta(hours=hours)


def test_it_warns_once_eighty_percent_of_the_hours_are_used():
    assert deadline_in_hours(started_at=START, due_at=DUE, label="答复时限", now=at(7.9)).status == "normal"
    warning = deadline_in_hours(started_at=START, due_at=DUE, label="答复时限", now=at(8))
    assert warning.status == "warning"
    assert warning.hours_left == 2


def test_it_is_overdue_after_the_due_time_with_positive_hours():
    late = deadline_in_hours(started_at=START, due_at=DUE, label="答复时限", now=at(13.5))
    assert late.status == "overdue"
    assert (late.hours_left, late.overdue_hours) == (0, 4)


def test_it_judges_a_stopped_deadline_when_it_stopped():
    done = deadline_in_hours(started_at=START, due_at=DUE, label="答复时限", now=at(50), stopped_at=at(3))
    assert done.status == "normal" and done.stopped and done.hours_left is None


def test_it_displays_the_due_time():
    assert deadline_in_hours(started_at=START, due_at=DUE, label="x", now=at(1)).display() == "2026-03-02 18:00"
