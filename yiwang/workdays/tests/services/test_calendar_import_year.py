import datetime as dt

import chinese_calendar
import pytest
from django.conf import settings

from yiwang.core.errors import ApplicationError
from yiwang.core.models import AuditEvent
from yiwang.workdays.importing import parse_calendar_text
from yiwang.workdays.models import CalendarDay, CalendarYear
from yiwang.workdays.selectors import add_workdays, is_workday
from yiwang.workdays.services import calendar_import_year
from yiwang.workdays.tests.data import CSV_2027
from yiwang.workdays.tests.factories import start_clock

SEED_NOTICE = settings.SHARED_DIR / "seed" / "holiday-notice-2026.txt"

pytestmark = pytest.mark.django_db


def import_csv(text, actor=None, year=None):
    parsed = parse_calendar_text(text, year=year)
    return calendar_import_year(year=parsed.year, entries=parsed.entries, actor=actor, source_text=text)


def test_it_makes_2027_official_and_recomputes_provisional_clocks(staff_user):
    # Friday 2026-12-25 + 10 working days on the statutory fallback (only 1 Jan off) → 2027-01-11.
    clock = start_clock(dt.date(2026, 12, 25), 10)
    assert (clock.due_on, clock.provisional) == (dt.date(2027, 1, 11), True)
    untouched = start_clock(dt.date(2026, 3, 2), 10)

    result = import_csv(CSV_2027, actor=staff_user)

    assert (result.holidays, result.workdays, result.recomputed, result.changed) == (27, 2, 1, 1)
    year = CalendarYear.objects.get(year=2027)
    assert (year.official, year.source, year.imported_by) == (True, "import", staff_user)
    assert year.notice == CSV_2027
    assert CalendarDay.objects.filter(year=2027).count() == 29
    clock.refresh_from_db()
    # With 1–4 January off: 28–31 Dec (4), 5–8 Jan (8), 11–12 Jan (10).
    assert (clock.due_on, clock.provisional) == (dt.date(2027, 1, 12), False)
    untouched.refresh_from_db()
    assert untouched.due_on == dt.date(2026, 3, 16)
    assert is_workday(dt.date(2027, 2, 20)) is True  # the imported 调休 Saturday
    assert add_workdays(dt.date(2027, 1, 5), 3).provisional is False

    [imported] = AuditEvent.objects.filter(action="workdays.calendar_imported")
    assert imported.actor_id == staff_user.pk
    assert imported.before == {"official": False, "source": None, "holidays": 0, "workdays": 0}
    assert imported.details == {"year": 2027, "recomputed": 1, "changed": 1}
    [recomputed] = AuditEvent.objects.filter(action="workdays.clock_recomputed")
    assert recomputed.object_id == str(clock.pk)


@pytest.mark.skipif(not SEED_NOTICE.exists(), reason=f"seed notice {SEED_NOTICE} is not on this machine (CI has it)")
def test_it_reimports_2026_from_the_seed_notice_unchanged():
    before = set(CalendarDay.objects.filter(year=2026).values_list("date", "kind"))
    text = SEED_NOTICE.read_text(encoding="utf-8")
    result = import_csv(text)
    after = set(CalendarDay.objects.filter(year=2026).values_list("date", "kind"))
    assert after == before
    assert {d for d, k in after if k == "holiday"} == {d for d in chinese_calendar.holidays if d.year == 2026}
    assert {d for d, k in after if k == "workday"} == {d for d in chinese_calendar.workdays if d.year == 2026}
    assert (result.holidays, result.workdays) == (33, 6)
    assert CalendarYear.objects.get(year=2026).source == "import"


def test_it_replaces_an_official_year_and_moves_its_clocks():
    clock = start_clock(dt.date(2026, 2, 12), 20)
    assert clock.due_on == dt.date(2026, 3, 18)
    # A corrected 2026 in which 2 March is also a holiday (invented): the stored deadline moves a day.
    rows = [(d, k, n) for d, k, n in CalendarDay.objects.filter(year=2026).values_list("date", "kind", "name")]
    rows.append((dt.date(2026, 3, 2), "holiday", "测试"))
    result = calendar_import_year(year=2026, entries=rows, actor=None)
    assert (result.recomputed, result.changed) == (1, 1)
    clock.refresh_from_db()
    assert (clock.due_on, clock.provisional) == (dt.date(2026, 3, 19), False)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2027-01-01,holiday,元旦\n2027-02-30,holiday,春节\n", "日期格式不正确"),
        ("2027-02-05..2027-02-10,holiday,春节\n2027-02-08..2027-02-12,holiday,春节\n", "重复或重叠"),
        ("2027-01-01,holiday,元旦\n2028-01-01,holiday,元旦\n", "不在 2027 年内"),
        ("2027-01-01,holiday,元旦\n2027-02-06,vacation,春节\n", "未知类型"),
        ("2027年部分节假日安排\n二、春节：2月5日（周五）至11日（周四）放假调休，共8天。\n", "声明共 8 天"),
    ],
    ids=["malformed-date", "overlapping-range", "wrong-year", "unknown-kind", "total-mismatch"],
)
def test_it_changes_nothing_when_the_file_has_an_error(text, reason):
    clock = start_clock(dt.date(2026, 12, 25), 10)
    days_before = list(CalendarDay.objects.order_by("date").values_list("date", "kind", "name", "year"))
    with pytest.raises(ApplicationError) as error:
        import_csv(text, year=2027)
    assert error.value.code == "workdays.import_invalid"
    assert reason in error.value.details["errors"][0]["reason"]
    assert error.value.details["errors"][0]["line"] == 2
    assert list(CalendarDay.objects.order_by("date").values_list("date", "kind", "name", "year")) == days_before
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not AuditEvent.objects.filter(action="workdays.calendar_imported").exists()
    clock.refresh_from_db()
    assert (clock.due_on, clock.provisional) == (dt.date(2027, 1, 11), True)


def test_it_refuses_a_day_that_belongs_to_another_year():
    # Sunday 2023-12-31 was announced with 2024 (元旦); an import of 2023 may not take it over.
    assert CalendarDay.objects.get(date=dt.date(2023, 12, 31)).year == 2024
    entries = [(dt.date(2023, 1, 2), "holiday", "元旦"), (dt.date(2023, 12, 31), "holiday", "元旦")]
    with pytest.raises(ApplicationError) as error:
        calendar_import_year(year=2023, entries=entries, actor=None)
    assert error.value.details["errors"] == [{"line": 0, "reason": "日期 2023-12-31 已属于 2024 年的节假日安排"}]
    assert CalendarDay.objects.filter(year=2023).count() > 2
