"""The working-day engine: the calendar in memory, answered with bisect instead of day loops.

The exceptions (``CalendarDay``) are loaded once per process and merged with the weekly rule into
one sorted array of working-day ordinals. Then

* ``is_workday(d)`` is a dict lookup,
* ``count_workdays(a, b)`` is two bisections,
* ``add_workdays(d, n)`` is one bisection and one index,

so a deadline costs O(log n) whatever its length.

Years without official data fall back to the statutory holidays of 全国年节及纪念日放假办法 as revised
in 2024 (effective 2025): 元旦 1 day, 春节 4 days (除夕 to 正月初三), 清明 1 day, 劳动节 2 days, 端午 1 day,
中秋 1 day, 国庆 3 days. 调休 cannot be guessed, so none is. Anything counted across such a year is
marked provisional.

Freshness: the import service calls ``reset()`` in its own process; other processes compare a
cheap database version at most once per ``VERSION_CHECK_SECONDS``.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache

from django.utils import timezone

from yiwang.core.errors import ApplicationError

# The seeded official data starts in 2004; the statutory fallback is computed up to 2099.
FIRST_YEAR = 2004
LAST_YEAR = 2099
# How many years past the last official (or current) year the fallback is computed up front;
# later years are added on demand.
FALLBACK_AHEAD_YEARS = 10
VERSION_CHECK_SECONDS = 1.0

HOLIDAY = "holiday"
WORKDAY = "workday"


@dataclass(frozen=True, slots=True)
class Due:
    """A computed deadline; ``provisional`` when it was counted across a year without official data."""

    due: dt.date
    provisional: bool


@dataclass(frozen=True, slots=True)
class DayInfo:
    date: dt.date
    workday: bool
    kind: str | None  # "holiday" / "workday" for an exception, None for an ordinary day
    name: str | None
    provisional: bool


@dataclass(frozen=True, slots=True)
class StoredDay:
    """One stored exception as the engine needs it (a plain value, not a model instance)."""

    date: dt.date
    kind: str
    name: str


class BeyondHorizon(Exception):
    """The fallback has not been computed that far yet; the caller extends the calendar and retries."""

    def __init__(self, year: int):
        self.year = year


def _out_of_range(value) -> ApplicationError:
    return ApplicationError(
        "workdays.out_of_range",
        f"日期超出工作日日历支持的范围（{FIRST_YEAR}—{LAST_YEAR}年）：{value}",
        details={"value": str(value), "first_year": FIRST_YEAR, "last_year": LAST_YEAR},
    )


def as_date(value) -> dt.date:
    """The calendar date of a start event: a date as is, a datetime in local time (Asia/Shanghai)."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise ApplicationError("workdays.bad_date", f"不是有效的日期：{value!r}", details={"value": str(value)})


def parse_date(text: str) -> dt.date:
    """Parse ``YYYY-MM-DD`` strictly (CLI, forms); ``workdays.bad_date`` otherwise."""
    try:
        if not isinstance(text, str) or len(text.strip()) != 10:
            raise ValueError
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ApplicationError(
            "workdays.bad_date", f"日期格式不正确：{text}（应为 YYYY-MM-DD）", details={"value": str(text)}
        )


# --- statutory fallback -------------------------------------------------------------------------


@cache
def statutory_holidays(year: int) -> dict[dt.date, str]:
    """The statutory holidays of ``year`` (全国年节及纪念日放假办法, 2024 revision, Art. 2).

    Lunar dates and the 清明 solar term come from lunar_python. 除夕 is the last day of the twelfth
    lunar month, i.e. the day before 正月初一. No 调休 is guessed.
    """
    from lunar_python import LunarYear, Solar

    def solar(julian_day: float) -> dt.date:
        s = Solar.fromJulianDay(julian_day)
        return dt.date(s.getYear(), s.getMonth(), s.getDay())

    lunar_year = LunarYear.fromYear(year)
    new_year = solar(lunar_year.getMonth(1).getFirstJulianDay())
    dragon_boat = solar(lunar_year.getMonth(5).getFirstJulianDay() + 4)
    mid_autumn = solar(lunar_year.getMonth(8).getFirstJulianDay() + 14)
    qingming = _solar_term(year, "清明")

    days: dict[dt.date, str] = {dt.date(year, 1, 1): "元旦"}
    for offset in range(-1, 3):
        days[new_year + dt.timedelta(days=offset)] = "春节"
    days[qingming] = "清明节"
    days[dt.date(year, 5, 1)] = "劳动节"
    days[dt.date(year, 5, 2)] = "劳动节"
    days[dragon_boat] = "端午节"
    days[mid_autumn] = "中秋节"
    for day in (1, 2, 3):
        days[dt.date(year, 10, day)] = "国庆节"
    # A lunar festival may fall on 国庆 (e.g. 中秋 on 1 October); the day stays one holiday.
    return dict(sorted(days.items()))


def _solar_term(year: int, name: str) -> dt.date:
    from lunar_python import Solar

    # The lunar year that contains 1 April holds that spring's 清明 in its solar-term table.
    term = Solar.fromYmd(year, 4, 1).getLunar().getJieQiTable()[name]
    return dt.date(term.getYear(), term.getMonth(), term.getDay())


# --- the engine ---------------------------------------------------------------------------------


class WorkdayCalendar:
    """An immutable in-memory calendar for the years ``FIRST_YEAR`` … ``horizon``."""

    def __init__(self, exceptions: list[StoredDay], official_years, horizon: int | None = None):
        self.official_years = frozenset(official_years)
        last_known = max([*self.official_years, timezone.localdate().year])
        self.horizon = min(LAST_YEAR, max(horizon or 0, last_known + FALLBACK_AHEAD_YEARS))
        self.first_ordinal = dt.date(FIRST_YEAR, 1, 1).toordinal()
        self.last_ordinal = dt.date(self.horizon, 12, 31).toordinal()

        # ordinal -> (is_workday, kind, name, provisional)
        days: dict[int, tuple[bool, str, str, bool]] = {}
        for item in exceptions:
            days[item.date.toordinal()] = (item.kind == WORKDAY, item.kind, item.name, False)
        for year in range(FIRST_YEAR, self.horizon + 1):
            if year in self.official_years:
                continue
            for day, name in statutory_holidays(year).items():
                days.setdefault(day.toordinal(), (False, HOLIDAY, name, True))
        self._days = days

        workdays = []
        for ordinal in range(self.first_ordinal, self.last_ordinal + 1):
            entry = days.get(ordinal)
            # date.fromordinal(1) is a Monday, so (ordinal - 1) % 7 is the weekday (Monday = 0).
            if entry[0] if entry is not None else (ordinal - 1) % 7 < 5:
                workdays.append(ordinal)
        self._workdays = workdays

        # Prefix count of non-official years, to tell in O(1) whether a span touches one.
        prefix = [0]
        for year in range(FIRST_YEAR, self.horizon + 1):
            prefix.append(prefix[-1] + (year not in self.official_years))
        self._unofficial_prefix = prefix

    # ordinals and ranges

    def _ordinal(self, value) -> int:
        day = as_date(value)
        ordinal = day.toordinal()
        if ordinal < self.first_ordinal or day.year > LAST_YEAR:
            raise _out_of_range(day)
        if ordinal > self.last_ordinal:
            raise BeyondHorizon(day.year)
        return ordinal

    def touches_unofficial(self, first: dt.date, last: dt.date) -> bool:
        if last < first:
            first, last = last, first
        if last.year > self.horizon:
            return True  # past the horizon no year is official
        prefix = self._unofficial_prefix
        first_index = max(first.year, FIRST_YEAR) - FIRST_YEAR
        last_index = max(last.year, FIRST_YEAR - 1) - FIRST_YEAR + 1
        return prefix[last_index] - prefix[first_index] > 0

    # queries

    def is_workday(self, value) -> bool:
        ordinal = self._ordinal(value)
        entry = self._days.get(ordinal)
        if entry is not None:
            return entry[0]
        return (ordinal - 1) % 7 < 5

    def day_info(self, value) -> DayInfo:
        ordinal = self._ordinal(value)
        day = dt.date.fromordinal(ordinal)
        provisional = day.year not in self.official_years
        entry = self._days.get(ordinal)
        if entry is None:
            return DayInfo(day, (ordinal - 1) % 7 < 5, None, None, provisional)
        workday, kind, name, _ = entry
        return DayInfo(day, workday, kind, name or None, provisional)

    def add_workdays(self, start, n: int) -> Due:
        if isinstance(n, bool) or not isinstance(n, int):
            raise ApplicationError("workdays.bad_days", f"工作日数必须是整数：{n!r}", details={"value": str(n)})
        if n < 0:
            raise ApplicationError("workdays.negative_days", f"工作日数不能为负数：{n}", details={"days": n})
        ordinal = self._ordinal(start)
        start_day = dt.date.fromordinal(ordinal)
        if n == 0:
            return Due(start_day, start_day.year not in self.official_years)
        index = bisect_right(self._workdays, ordinal) + n - 1
        if index >= len(self._workdays):
            if self.horizon >= LAST_YEAR:
                raise _out_of_range(f"{start_day.isoformat()} + {n}")
            raise BeyondHorizon(self.horizon + max(1, n // 240 + 1))
        due = dt.date.fromordinal(self._workdays[index])
        return Due(due, self.touches_unofficial(start_day, due))

    def count_workdays(self, start, end) -> int:
        """Working days in (start, end]; negative (the same count) when end is before start."""
        a = self._ordinal(start)
        b = self._ordinal(end)
        return bisect_right(self._workdays, b) - bisect_right(self._workdays, a)

    def exceptions_between(self, first: dt.date, last: dt.date) -> list[DayInfo]:
        """The holidays and 调休 workdays in [first, last], official or statutory fallback."""
        a, b = self._ordinal(first), self._ordinal(last)
        result = []
        for ordinal in sorted(o for o in self._days if a <= o <= b):
            workday, kind, name, _ = self._days[ordinal]
            day = dt.date.fromordinal(ordinal)
            result.append(DayInfo(day, workday, kind, name or None, day.year not in self.official_years))
        return result


# --- loaders ------------------------------------------------------------------------------------


def load_from_database(horizon: int | None = None) -> WorkdayCalendar:
    from yiwang.workdays.models import CalendarDay, CalendarYear

    exceptions = [StoredDay(d, k, n) for d, k, n in CalendarDay.objects.values_list("date", "kind", "name")]
    official = CalendarYear.objects.filter(official=True).values_list("year", flat=True)
    return WorkdayCalendar(exceptions, official, horizon)


def load_from_chinese_calendar(horizon: int | None = None) -> WorkdayCalendar:
    """The calendar straight from the chinese_calendar package (benchmarks, cross-checks; no database)."""
    import chinese_calendar

    from yiwang.workdays.seeding import chinese_calendar_rows

    rows = chinese_calendar_rows(chinese_calendar)
    exceptions = [StoredDay(row["date"], row["kind"], row["name"]) for row in rows]
    years = {row["year"] for row in rows}
    return WorkdayCalendar(exceptions, years, horizon)


def _database_version():
    from django.db.models import Count, Max

    from yiwang.workdays.models import CalendarDay, CalendarYear

    years = CalendarYear.objects.aggregate(n=Count("id"), last=Max("imported_at"))
    days = CalendarDay.objects.aggregate(n=Count("id"), last=Max("id"))
    return (years["n"], years["last"], days["n"], days["last"])


class _Cache:
    def __init__(self):
        self.lock = threading.Lock()
        self.calendar: WorkdayCalendar | None = None
        self.version = None
        self.checked_at = 0.0


_cache = _Cache()


def reset() -> None:
    """Forget the in-memory calendar; the next call reloads it (the import service calls this)."""
    with _cache.lock:
        _cache.calendar = None
        _cache.version = None
        _cache.checked_at = 0.0


def get_calendar(horizon: int | None = None) -> WorkdayCalendar:
    """The process's calendar, reloaded when the table changed (checked at most once a second)."""
    calendar = _cache.calendar
    now = time.monotonic()
    if (
        calendar is not None
        and now - _cache.checked_at < VERSION_CHECK_SECONDS
        and (horizon is None or calendar.horizon >= horizon)
    ):
        return calendar
    with _cache.lock:
        version = _database_version()
        calendar = _cache.calendar
        if calendar is None or version != _cache.version or (horizon is not None and calendar.horizon < horizon):
            wanted = max(horizon or 0, calendar.horizon if calendar is not None else 0)
            calendar = load_from_database(horizon=wanted or None)
            _cache.calendar = calendar
            _cache.version = version
        _cache.checked_at = time.monotonic()
        return calendar


def call(method: str, *args):
    """Run one engine query on the current calendar, computing further fallback years if needed."""
    calendar = get_calendar()
    while True:
        try:
            return getattr(calendar, method)(*args)
        except BeyondHorizon as beyond:
            calendar = get_calendar(horizon=min(LAST_YEAR, max(beyond.year, calendar.horizon + 1) + 1))
