"""The official 2004–2026 calendar as rows, from the chinese_calendar package.

The data migration ``0002_seed_official_calendar_2004_2026`` carries a frozen copy of this logic
(migrations never import app code); this module serves the benchmark and the cross-check tests.
"""

import datetime as dt

SEED_FIRST_YEAR = 2004
SEED_LAST_YEAR = 2026

# chinese_calendar names its festivals in English; the State Council's notices use these names.
FESTIVAL_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def notice_year(day: dt.date, name: str) -> int:
    """The notice a day belongs to: a December day of 元旦 was announced with the next year."""
    if name == "元旦" and day.month == 12:
        return day.year + 1
    return day.year


def chinese_calendar_rows(chinese_calendar, first_year=SEED_FIRST_YEAR, last_year=SEED_LAST_YEAR) -> list[dict]:
    """Holidays (any weekday, as the package lists them) and weekend 调休 workdays, with festival names."""
    rows = []
    for kind, table in (("holiday", chinese_calendar.holidays), ("workday", chinese_calendar.workdays)):
        for day, english in table.items():
            name = FESTIVAL_NAMES.get(english, english or "")
            year = notice_year(day, name)
            if first_year <= year <= last_year:
                rows.append({"date": day, "kind": kind, "name": name, "year": year})
    rows.sort(key=lambda row: row["date"])
    return rows


def seed_official_calendar() -> int:
    """Write the seeded years into an empty calendar (a flushed test database); returns rows written."""
    import chinese_calendar
    from django.db import transaction

    from yiwang.workdays.models import CalendarDay, CalendarYear

    with transaction.atomic():
        if CalendarYear.objects.exists():
            return 0
        rows = chinese_calendar_rows(chinese_calendar)
        CalendarDay.objects.bulk_create(CalendarDay(**row) for row in rows)
        CalendarYear.objects.bulk_create(
            CalendarYear(year=year, official=True, source=CalendarYear.Source.CHINESE_CALENDAR)
            for year in range(SEED_FIRST_YEAR, SEED_LAST_YEAR + 1)
        )
    return len(rows)
