"""Cross-check of 2025–2026 against the independent ``holidays`` package (a dev dependency).

Known, deliberate differences: ``holidays`` lists only the statutory and substituted days off,
while chinese_calendar (and so our table) lists every day of each break, weekends included
(e.g. Sunday 2026-02-15 of the 春节 break). On Monday–Friday both must agree exactly, and the
weekend working days (调休) must be the same set.
"""

import datetime as dt

import pytest

from yiwang.workdays.models import CalendarDay
from yiwang.workdays.selectors import is_workday

holidays = pytest.importorskip("holidays", reason="the holidays package is a dev dependency")

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("year", [2025, 2026])
def test_it_agrees_with_the_holidays_package(year):
    china = holidays.China(years=year)
    assert china, "holidays.China returned no data"

    for day in china:
        assert is_workday(day) is False, f"{day} {china[day]} is a holiday in holidays.China"

    adjusted = set(CalendarDay.objects.filter(kind="workday", date__year=year).values_list("date", flat=True))
    assert all(day.weekday() >= 5 for day in adjusted)
    assert adjusted == {d for d in china.weekend_workdays if d.year == year}

    ours_weekday_holidays = set(
        CalendarDay.objects.filter(kind="holiday", date__year=year).values_list("date", flat=True)
    )
    ours_weekday_holidays = {d for d in ours_weekday_holidays if d.weekday() < 5}
    theirs_weekday_holidays = {d for d in china if d.weekday() < 5}
    assert len(ours_weekday_holidays) == len(theirs_weekday_holidays)
    assert ours_weekday_holidays == theirs_weekday_holidays

    day = dt.date(year, 1, 1)
    workdays = 0
    while day.year == year:
        workdays += is_workday(day)
        day += dt.timedelta(days=1)
    expected = sum(
        1
        for offset in range(366)
        if (d := dt.date(year, 1, 1) + dt.timedelta(days=offset)).year == year
        and (d.weekday() < 5 and d not in china or d in china.weekend_workdays)
    )
    assert workdays == expected
