"""The State Council's notice, pasted as text."""

import datetime as dt

import chinese_calendar
import pytest
from django.conf import settings

from yiwang.core.errors import ApplicationError
from yiwang.workdays.importing import detect_format, parse_calendar_text

SEED_NOTICE = settings.SHARED_DIR / "seed" / "holiday-notice-2026.txt"

NOTICE_2025 = """国务院办公厅关于2025年部分节假日安排的通知
经国务院批准，现将2025年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦：1月1日（周三）放假1天，不调休。
二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。1月26日（周日）、2月8日（周六）上班。
三、清明节：4月4日（周五）至6日（周日）放假，共3天。
四、劳动节：5月1日（周四）至5日（周一）放假调休，共5天。4月27日（周日）上班。
五、端午节：5月31日（周六）至6月2日（周一）放假，共3天。
六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。9月28日（周日）、10月11日（周六）上班。
节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作。
国务院办公厅
2024年11月12日
"""


def errors_of(text, **kwargs):
    with pytest.raises(ApplicationError) as error:
        parse_calendar_text(text, **kwargs)
    assert error.value.code == "workdays.import_invalid"
    return error.value.details["errors"]


def official(year):
    holidays = {d for d in chinese_calendar.holidays if d.year == year}
    workdays = {d for d in chinese_calendar.workdays if d.year == year}
    return holidays, workdays


@pytest.mark.skipif(not SEED_NOTICE.exists(), reason=f"seed notice {SEED_NOTICE} is not on this machine (CI has it)")
def test_it_reproduces_chinese_calendar_2026_from_the_seed_notice():
    parsed = parse_calendar_text(SEED_NOTICE.read_text(encoding="utf-8"))
    holidays, workdays = official(2026)
    assert parsed.year == 2026  # from the title line
    assert parsed.format == "notice"
    assert {e.date for e in parsed.holidays} == holidays
    assert {e.date for e in parsed.workdays} == workdays
    assert len(parsed.holidays) == 33
    assert [e.date for e in parsed.workdays] == [
        dt.date(2026, 1, 4),
        dt.date(2026, 2, 14),
        dt.date(2026, 2, 28),
        dt.date(2026, 5, 9),
        dt.date(2026, 9, 20),
        dt.date(2026, 10, 10),
    ]
    spring = [e for e in parsed.holidays if e.name == "春节"]
    assert (spring[0].date, spring[-1].date, len(spring)) == (dt.date(2026, 2, 15), dt.date(2026, 2, 23), 9)


def test_it_reads_the_2025_notice_with_a_single_day_and_a_combined_festival():
    parsed = parse_calendar_text(NOTICE_2025)
    holidays, workdays = official(2025)
    assert parsed.year == 2025
    assert {e.date for e in parsed.holidays} == holidays
    assert {e.date for e in parsed.workdays} == workdays
    assert {e.name for e in parsed.holidays if e.date == dt.date(2025, 10, 6)} == {"国庆节、中秋节"}


def test_it_reads_a_range_across_the_year_in_the_new_year_item():
    parsed = parse_calendar_text("2023年部分节假日安排\n一、元旦：12月31日（周六）至1月2日（周一）放假调休，共3天。\n")
    assert [e.date for e in parsed.entries] == [dt.date(2022, 12, 31), dt.date(2023, 1, 1), dt.date(2023, 1, 2)]


def test_it_reads_explicit_years_and_a_previous_december_workday():
    text = "一、元旦：2012年1月1日至3日放假调休，共3天。2011年12月31日（星期六）上班。\n"
    parsed = parse_calendar_text(text, year=2012)
    assert [(e.date, e.kind) for e in parsed.entries] == [
        (dt.date(2011, 12, 31), "workday"),
        (dt.date(2012, 1, 1), "holiday"),
        (dt.date(2012, 1, 2), "holiday"),
        (dt.date(2012, 1, 3), "holiday"),
    ]


def test_it_reads_a_range_across_months():
    parsed = parse_calendar_text("一、端午节：5月31日（周六）至6月2日（周一）放假，共3天。", year=2025)
    assert [e.date for e in parsed.entries] == [dt.date(2025, 5, 31), dt.date(2025, 6, 1), dt.date(2025, 6, 2)]


def test_it_ignores_the_encouraged_day_off_on_new_years_eve():
    text = (
        "2024年部分节假日安排\n"
        "二、春节：2月10日至17日放假调休，共8天。2月4日（星期日）、2月18日（星期日）上班。"
        "鼓励各单位结合带薪年休假等制度落实，安排职工在除夕（2月9日）休息。\n"
    )
    parsed = parse_calendar_text(text)
    assert dt.date(2024, 2, 9) not in {e.date for e in parsed.entries}
    assert len(parsed.holidays) == 8
    assert [e.date for e in parsed.workdays] == [dt.date(2024, 2, 4), dt.date(2024, 2, 18)]


def test_it_refuses_a_declared_total_that_does_not_match_the_range():
    errors = errors_of("2026年部分节假日安排\n\n二、春节：2月15日（周日）至23日（周一）放假调休，共8天。")
    assert errors == [{"line": 3, "reason": "春节：声明共 8 天，但日期范围共 9 天"}]


def test_it_refuses_a_weekday_that_does_not_match_the_date():
    errors = errors_of("一、元旦：1月1日（周五）至3日（周六）放假调休，共3天。", year=2026)
    assert errors[0]["line"] == 1
    assert "周五" in errors[0]["reason"] and "周四" in errors[0]["reason"]


def test_it_refuses_a_title_year_that_contradicts_the_given_year():
    errors = errors_of("2026年部分节假日安排\n一、元旦：1月1日放假。", year=2027)
    assert "2026" in errors[0]["reason"] and "2027" in errors[0]["reason"]


def test_it_needs_a_year():
    errors = errors_of("一、元旦：1月1日放假。")
    assert "年份" in errors[0]["reason"]


def test_it_refuses_a_non_existent_date_and_an_end_before_the_start():
    errors = errors_of("一、元旦：2月30日放假。\n二、春节：2月20日至2月15日放假。", year=2026)
    assert [e["line"] for e in errors] == [1, 2]
    assert "不存在" in errors[0]["reason"]
    assert "早于" in errors[1]["reason"]


def test_it_refuses_a_day_that_is_both_holiday_and_workday():
    errors = errors_of("一、春节：2月15日至16日放假。2月15日（周日）上班。", year=2026)
    assert "同时被声明为放假和上班" in errors[0]["reason"]


def test_it_refuses_text_without_items():
    errors = errors_of("2026年部分节假日安排\n节假日期间，各地区要妥善安排好值班。\n共3天，1月1日")
    assert errors == [{"line": 0, "reason": "未找到任何节日安排（应为“一、元旦：1月1日……放假”这样的条目）"}]


def test_it_detects_the_format():
    assert detect_format(NOTICE_2025) == "notice"
    assert detect_format("# comment\n2026-01-01,holiday,元旦\n") == "csv"
