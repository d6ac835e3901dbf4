"""Reads on the working-day calendar — the functions every other app calls for a deadline.

    from yiwang.workdays.selectors import add_workdays, count_workdays, is_workday, clock_status

All of them answer from the in-memory engine (``calendar.py``) in O(log n). A result is
``provisional`` when it was counted across a year without the State Council's official data;
importing that year recomputes stored clocks (``services.calendar_import_year``).
"""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from yiwang.workdays import calendar, deadlines
from yiwang.workdays.calendar import DayInfo, Due, as_date
from yiwang.workdays.models import CalendarDay, CalendarYear, Clock

__all__ = [
    "Due",
    "DayInfo",
    "add_workdays",
    "calendar_year_summary",
    "clock_status",
    "clock_used_workdays",
    "clocks_touching_year",
    "count_workdays",
    "day_info",
    "is_workday",
    "year_exceptions",
]


def is_workday(day: dt.date | dt.datetime) -> bool:
    """Whether ``day`` is a working day: Mon–Fri unless a holiday, Sat–Sun only as 调休 workday."""
    engine = calendar.get_calendar()
    try:
        return engine.is_workday(day)
    except calendar.BeyondHorizon:
        return calendar.call("is_workday", day)


def add_workdays(start: dt.date | dt.datetime, n: int) -> Due:
    """The day on which ``n`` working days after ``start`` are complete.

    民法典 Art. 201: a period counted in days starts on the day after the start event, so the
    first working day counted is the first one *after* ``start`` (a datetime is taken in local
    time). ``n = 0`` is "the same day" and returns the start date itself. The last day of a period
    that would fall on a rest day moves to the next working day — which counting working days
    does by construction. ``n < 0`` → ``workdays.negative_days``.
    """
    engine = calendar.get_calendar()
    try:
        return engine.add_workdays(start, n)
    except calendar.BeyondHorizon:
        return calendar.call("add_workdays", start, n)


def count_workdays(start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> int:
    """Working days after ``start`` up to and including ``end`` (民法典 Art. 201).

    Antisymmetric: when ``end`` is before ``start`` the result is minus the working days in
    (end, start], so "days left" = ``count_workdays(today, due)`` goes negative once overdue.
    """
    engine = calendar.get_calendar()
    try:
        return engine.count_workdays(start, end)
    except calendar.BeyondHorizon:
        return calendar.call("count_workdays", start, end)


def count_is_provisional(start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> bool:
    """Whether a span touches a year without official data."""
    return calendar.get_calendar().touches_unofficial(as_date(start), as_date(end))


def day_info(day: dt.date | dt.datetime) -> DayInfo:
    """One day: working or not, the festival name, and whether its year is only statutory fallback."""
    return calendar.call("day_info", day)


def year_exceptions(year: int) -> list[DayInfo]:
    """A year's holidays and 调休 workdays (official rows, or the statutory fallback)."""
    return calendar.call("exceptions_between", dt.date(year, 1, 1), dt.date(year, 12, 31))


def calendar_year_summary(year: int) -> dict:
    """What the calendar page and the CLI say about a year: official or provisional, and counts."""
    record = CalendarYear.objects.filter(year=year, official=True).first()
    days = year_exceptions(year)
    return {
        "year": year,
        "official": record is not None,
        "record": record,
        "holidays": sum(1 for d in days if d.kind == CalendarDay.Kind.HOLIDAY),
        "workdays": sum(1 for d in days if d.kind == CalendarDay.Kind.WORKDAY),
        "days": days,
    }


def clock_used_workdays(clock: Clock, today: dt.date | None = None) -> int:
    """Working days of the clock used by ``today`` (paused working days are not used)."""
    return deadlines.clock_used_workdays(clock, today)


def clock_status(clock: Clock, today: dt.date | None = None) -> str:
    """``normal`` | ``warning`` | ``due`` | ``overdue`` for a clock on ``today`` (default: local today).

    Every deadline has three alarms (DESIGN: cross-cutting rules): *warning* once
    ``warning_ratio`` (default ``YIWANG_WORKDAYS["WARNING_RATIO"]``, 80 %) of the working days are
    used, *due* on the due day, *overdue* after it. A paused clock is judged on its pause day, a
    stopped one on the day it stopped. The one rule lives in ``deadlines.workday_status``.
    """
    return deadlines.clock_status(clock, today)


def clocks_touching_year(year: int, *, first_day: dt.date | None = None):
    """Clocks whose span (start … due) reaches into ``year`` (or from ``first_day``, for 元旦 spill-over)."""
    first_day = first_day or dt.date(year, 1, 1)
    end_of_year = dt.datetime.combine(dt.date(year + 1, 1, 1), dt.time.min, tzinfo=timezone.get_current_timezone())
    return Clock.objects.filter(Q(due_on__gte=first_day) & Q(started_at__lt=end_of_year))
