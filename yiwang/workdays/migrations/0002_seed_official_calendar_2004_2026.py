"""Seed the official holidays and 调休 workdays of 2004–2026 from the chinese_calendar package.

A frozen copy of ``yiwang.workdays.seeding`` (migrations never import app code): every day the
package lists as a holiday (weekends included, as it lists them) and every weekend day it lists
as a working day, with the festival's Chinese name. A December day of 元旦 belongs to the next
year's notice (e.g. 2011-12-31 was worked under the 2012 notice).
"""

from django.db import migrations
from django.utils import timezone

FIRST_YEAR = 2004
LAST_YEAR = 2026

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


def seed(apps, schema_editor):
    import chinese_calendar

    CalendarYear = apps.get_model("workdays", "CalendarYear")
    CalendarDay = apps.get_model("workdays", "CalendarDay")
    rows = []
    for kind, table in (("holiday", chinese_calendar.holidays), ("workday", chinese_calendar.workdays)):
        for day, english in table.items():
            name = FESTIVAL_NAMES.get(english, english or "")
            year = day.year + 1 if name == "元旦" and day.month == 12 else day.year
            if FIRST_YEAR <= year <= LAST_YEAR:
                rows.append(CalendarDay(date=day, kind=kind, name=name, year=year))
    rows.sort(key=lambda row: row.date)
    CalendarDay.objects.bulk_create(rows, batch_size=500)
    now = timezone.now()
    CalendarYear.objects.bulk_create(
        CalendarYear(year=year, official=True, source="chinese-calendar", imported_at=now)
        for year in range(FIRST_YEAR, LAST_YEAR + 1)
    )


def unseed(apps, schema_editor):
    CalendarYear = apps.get_model("workdays", "CalendarYear")
    CalendarDay = apps.get_model("workdays", "CalendarDay")
    seeded = CalendarYear.objects.filter(source="chinese-calendar", year__range=(FIRST_YEAR, LAST_YEAR))
    CalendarDay.objects.filter(year__in=seeded.values_list("year", flat=True)).delete()
    seeded.delete()


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_calendar_and_clocks")]

    operations = [migrations.RunPython(seed, unseed)]
