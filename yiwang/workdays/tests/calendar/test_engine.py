"""The in-memory engine on its own: built straight from chinese_calendar, no database."""

import datetime as dt
import random

import chinese_calendar
import pytest
from lunar_python import Lunar, Solar

from yiwang.core.errors import ApplicationError
from yiwang.workdays.calendar import StoredDay, WorkdayCalendar, load_from_chinese_calendar, statutory_holidays


@pytest.fixture(scope="module")
def engine():
    return load_from_chinese_calendar()


def naive_add(start: dt.date, n: int) -> dt.date:
    day, counted = start, 0
    while counted < n:
        day += dt.timedelta(days=1)
        counted += chinese_calendar.is_workday(day)
    return day


def test_it_agrees_with_chinese_calendar_on_every_day_2004_2026(engine):
    day = dt.date(2004, 1, 1)
    mismatches = []
    while day <= dt.date(2026, 12, 31):
        if engine.is_workday(day) != chinese_calendar.is_workday(day):
            mismatches.append(day)
        day += dt.timedelta(days=1)
    assert mismatches == []


def test_it_agrees_with_a_day_by_day_loop_on_random_deadlines(engine):
    rng = random.Random(201)
    for _ in range(500):
        start = dt.date(2004, 1, 1) + dt.timedelta(days=rng.randrange(8300))
        n = rng.randint(0, 60)
        assert engine.add_workdays(start, n).due == naive_add(start, n), (start, n)


def test_it_counts_the_adjusted_saturday_as_the_first_working_day(engine):
    # Friday 2026-02-13 → Saturday 2026-02-14 is a 调休 working day (春节).
    assert engine.add_workdays(dt.date(2026, 2, 13), 1).due == dt.date(2026, 2, 14)
    assert engine.add_workdays(dt.date(2026, 2, 13), 2).due == dt.date(2026, 2, 24)


def test_it_returns_the_start_day_for_zero_days(engine):
    assert engine.add_workdays(dt.date(2026, 2, 15), 0).due == dt.date(2026, 2, 15)


def test_it_counts_working_days_after_start_up_to_end(engine):
    # (2026-02-12, 2026-02-28]: 13th, 14th (调休), 24–27th, 28th (调休) = 7.
    assert engine.count_workdays(dt.date(2026, 2, 12), dt.date(2026, 2, 28)) == 7
    assert engine.count_workdays(dt.date(2026, 2, 28), dt.date(2026, 2, 12)) == -7
    assert engine.count_workdays(dt.date(2026, 3, 2), dt.date(2026, 3, 2)) == 0


def test_it_is_consistent_between_add_and_count(engine):
    rng = random.Random(45)
    for _ in range(300):
        start = dt.date(2010, 1, 1) + dt.timedelta(days=rng.randrange(6000))
        n = rng.randint(1, 80)
        assert engine.count_workdays(start, engine.add_workdays(start, n).due) == n


def test_it_takes_a_datetime_as_its_local_date(engine, settings):
    # 2026-02-13 18:00 UTC is already Saturday 02:00 in Asia/Shanghai.
    late = dt.datetime(2026, 2, 13, 18, 0, tzinfo=dt.UTC)
    assert engine.add_workdays(late, 1).due == dt.date(2026, 2, 24)


def test_it_refuses_negative_days(engine):
    with pytest.raises(ApplicationError) as error:
        engine.add_workdays(dt.date(2026, 1, 5), -1)
    assert error.value.code == "workdays.negative_days"
    assert error.value.status == 400


def test_it_refuses_something_that_is_not_a_date(engine):
    with pytest.raises(ApplicationError) as error:
        engine.is_workday("2026-01-05")
    assert error.value.code == "workdays.bad_date"


def test_it_refuses_dates_before_the_calendar(engine):
    with pytest.raises(ApplicationError) as error:
        engine.is_workday(dt.date(1999, 12, 31))
    assert error.value.code == "workdays.out_of_range"


def test_it_marks_results_touching_a_year_without_official_data_provisional(engine):
    assert engine.add_workdays(dt.date(2026, 12, 1), 10).provisional is False
    assert engine.add_workdays(dt.date(2026, 12, 20), 20).provisional is True


# --- statutory fallback (全国年节及纪念日放假办法, 2024 revision) ---------------------------------


def lunar_to_solar(year: int, month: int, day: int) -> dt.date:
    solar = Lunar.fromYmd(year, month, day).getSolar()
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def test_it_computes_the_2027_spring_festival_from_the_lunar_calendar():
    first_day = lunar_to_solar(2027, 1, 1)
    assert first_day == dt.date(2027, 2, 6)
    eve = first_day - dt.timedelta(days=1)
    # 除夕 is the last day of the twelfth lunar month of the previous lunar year.
    assert Solar.fromYmd(eve.year, eve.month, eve.day).getLunar().getMonth() == 12
    assert Solar.fromYmd(eve.year, eve.month, eve.day).getLunar().next(1).getDay() == 1
    spring = sorted(d for d, name in statutory_holidays(2027).items() if name == "春节")
    assert spring == [dt.date(2027, 2, 5), dt.date(2027, 2, 6), dt.date(2027, 2, 7), dt.date(2027, 2, 8)]


def test_it_lists_the_thirteen_statutory_days_of_2027():
    days = statutory_holidays(2027)
    qingming = Solar.fromYmd(2027, 4, 1).getLunar().getJieQiTable()["清明"]
    assert days == {
        dt.date(2027, 1, 1): "元旦",
        dt.date(2027, 2, 5): "春节",
        dt.date(2027, 2, 6): "春节",
        dt.date(2027, 2, 7): "春节",
        dt.date(2027, 2, 8): "春节",
        dt.date(qingming.getYear(), qingming.getMonth(), qingming.getDay()): "清明节",
        dt.date(2027, 5, 1): "劳动节",
        dt.date(2027, 5, 2): "劳动节",
        lunar_to_solar(2027, 5, 5): "端午节",
        lunar_to_solar(2027, 8, 15): "中秋节",
        dt.date(2027, 10, 1): "国庆节",
        dt.date(2027, 10, 2): "国庆节",
        dt.date(2027, 10, 3): "国庆节",
    }
    assert lunar_to_solar(2027, 5, 5) == dt.date(2027, 6, 9)
    assert lunar_to_solar(2027, 8, 15) == dt.date(2027, 9, 15)


def test_it_matches_the_official_statutory_days_where_official_data_exists():
    # From 2025 the official calendar must contain every statutory day of the 2024 revision.
    for year in (2025, 2026):
        for day in statutory_holidays(year):
            assert day in chinese_calendar.holidays, (year, day)


def test_it_skips_the_2027_lunar_holidays_in_deadlines(engine):
    # Thursday 2027-02-04: Friday 除夕 and Monday 初三 are holidays, so the next working day is Tuesday.
    due = engine.add_workdays(dt.date(2027, 2, 4), 1)
    assert due.due == dt.date(2027, 2, 9)
    assert due.provisional is True


def test_it_guesses_no_adjusted_working_days_for_fallback_years(engine):
    assert engine.exceptions_between(dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    assert all(
        d.kind == "holiday" and d.provisional
        for d in engine.exceptions_between(dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    )


def test_it_extends_the_fallback_beyond_its_first_horizon():
    engine = WorkdayCalendar([StoredDay(dt.date(2026, 2, 14), "workday", "春节")], {2026}, horizon=2030)
    assert engine.horizon >= 2030
    far = WorkdayCalendar([], set(), horizon=2099)
    # 2099-10-01 is a Thursday and 国庆 under the statutory rules.
    assert far.is_workday(dt.date(2099, 10, 1)) is False
    with pytest.raises(ApplicationError) as error:
        far.add_workdays(dt.date(2099, 12, 1), 400)
    assert error.value.code == "workdays.out_of_range"
