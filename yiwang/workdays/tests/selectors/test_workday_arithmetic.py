"""The public selectors on the seeded database calendar."""

import datetime as dt

import chinese_calendar
import pytest
from django.utils import timezone

from yiwang.core.errors import ApplicationError
from yiwang.workdays import calendar
from yiwang.workdays.models import CalendarDay, CalendarYear
from yiwang.workdays.selectors import (
    add_workdays,
    calendar_year_summary,
    count_is_provisional,
    count_workdays,
    day_info,
    is_workday,
)

pytestmark = pytest.mark.django_db


def test_it_seeds_2004_to_2026_exactly_as_chinese_calendar_lists_them():
    assert list(CalendarYear.objects.filter(official=True).order_by("year").values_list("year", flat=True)) == list(
        range(2004, 2027)
    )
    stored = set(CalendarDay.objects.values_list("date", "kind"))
    expected = {(d, "holiday") for d in chinese_calendar.holidays} | {(d, "workday") for d in chinese_calendar.workdays}
    expected = {(d, k) for d, k in expected if dt.date(2003, 12, 25) <= d <= dt.date(2026, 12, 31)}
    assert stored == expected
    assert CalendarDay.objects.get(date=dt.date(2026, 2, 17)).name == "春节"
    # The notice for 2012 moved Saturday 2011-12-31 to a working day: it belongs to 2012.
    assert CalendarDay.objects.get(date=dt.date(2011, 12, 31)).year == 2012


def test_it_computes_a_deadline_across_the_2026_spring_festival():
    # Accepted Thursday 2026-02-12; 20 working days. Counted: 13th, 14th (调休), 24–27th, 28th (调休),
    # 2–6 March, 9–13 March, 16–18 March.
    due = add_workdays(dt.date(2026, 2, 12), 20)
    assert due.due == dt.date(2026, 3, 18)
    assert due.provisional is False


def test_it_starts_counting_the_day_after_the_start_event():
    assert add_workdays(dt.date(2026, 2, 13), 1).due == dt.date(2026, 2, 14)  # Saturday, 调休
    accepted = timezone.make_aware(dt.datetime(2026, 2, 13, 16, 30))
    assert add_workdays(accepted, 1).due == dt.date(2026, 2, 14)
    assert add_workdays(dt.date(2026, 2, 13), 0).due == dt.date(2026, 2, 13)


def test_it_answers_is_workday_for_holidays_adjusted_days_and_weekends():
    assert is_workday(dt.date(2026, 2, 16)) is False  # 春节, Monday
    assert is_workday(dt.date(2026, 2, 14)) is True  # 调休, Saturday
    assert is_workday(dt.date(2026, 3, 7)) is False  # plain Saturday
    assert is_workday(dt.date(2026, 3, 9)) is True


def test_it_counts_working_days_and_flags_provisional_spans():
    assert count_workdays(dt.date(2026, 2, 12), dt.date(2026, 3, 18)) == 20
    assert count_is_provisional(dt.date(2026, 2, 12), dt.date(2026, 3, 18)) is False
    assert count_is_provisional(dt.date(2026, 12, 1), dt.date(2027, 1, 8)) is True


def test_it_marks_a_deadline_into_2027_provisional():
    due = add_workdays(dt.date(2027, 1, 5), 3)
    assert due == calendar.Due(dt.date(2027, 1, 8), True)
    # 2027-02-05 (除夕) and 2027-02-08 (初三) are statutory holidays.
    assert add_workdays(dt.date(2027, 2, 4), 1) == calendar.Due(dt.date(2027, 2, 9), True)


def test_it_describes_a_day():
    info = day_info(dt.date(2026, 10, 1))
    assert (info.workday, info.name, info.provisional) == (False, "国庆节", False)
    info = day_info(dt.date(2027, 10, 1))
    assert (info.workday, info.name, info.provisional) == (False, "国庆节", True)
    info = day_info(dt.date(2026, 3, 9))
    assert (info.workday, info.name, info.kind) == (True, None, None)


def test_it_refuses_negative_days_and_bad_dates():
    with pytest.raises(ApplicationError) as error:
        add_workdays(dt.date(2026, 1, 5), -3)
    assert error.value.code == "workdays.negative_days"
    with pytest.raises(ApplicationError) as error:
        add_workdays("2026-01-05", 3)
    assert error.value.code == "workdays.bad_date"


def test_it_reloads_when_another_process_changed_the_table(monkeypatch):
    assert is_workday(dt.date(2026, 3, 9)) is True
    # Another process writes the table; this process notices within VERSION_CHECK_SECONDS.
    CalendarDay.objects.create(date=dt.date(2026, 3, 9), kind="holiday", name="测试", year=2026)
    monkeypatch.setattr(calendar, "VERSION_CHECK_SECONDS", 0.0)
    assert is_workday(dt.date(2026, 3, 9)) is False


def test_it_summarises_a_year():
    summary = calendar_year_summary(2026)
    assert (summary["official"], summary["holidays"], summary["workdays"]) == (True, 33, 6)
    summary = calendar_year_summary(2027)
    assert (summary["official"], summary["holidays"], summary["workdays"]) == (False, 13, 0)
