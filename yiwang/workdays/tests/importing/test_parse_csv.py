"""The CSV / plain-text format."""

import datetime as dt

import pytest

from yiwang.core.errors import ApplicationError
from yiwang.workdays.importing import parse_calendar_text

CSV_2026 = """# 2026 — the State Council's notice as CSV
2026-01-01..2026-01-03,holiday,元旦
2026-01-04,workday,元旦调休

2026-02-15..2026-02-23,holiday,春节
2026-02-14,workday,春节调休
2026-02-28,上班,春节调休
"""


def errors_of(text, **kwargs):
    with pytest.raises(ApplicationError) as error:
        parse_calendar_text(text, **kwargs)
    assert error.value.code == "workdays.import_invalid"
    assert error.value.status == 400
    return error.value.details["errors"]


def test_it_reads_days_ranges_comments_and_blank_lines():
    parsed = parse_calendar_text(CSV_2026)
    assert parsed.year == 2026
    assert parsed.format == "csv"
    assert len(parsed.holidays) == 12
    assert [(e.date, e.name, e.line) for e in parsed.workdays] == [
        (dt.date(2026, 1, 4), "元旦调休", 3),
        (dt.date(2026, 2, 14), "春节调休", 6),
        (dt.date(2026, 2, 28), "春节调休", 7),
    ]


def test_it_reports_a_malformed_date_with_its_line():
    assert errors_of("2026-01-01,holiday,元旦\n2026-13-01,holiday,春节\n") == [
        {"line": 2, "reason": "日期格式不正确：“2026-13-01”（应为 YYYY-MM-DD）"}
    ]


def test_it_reports_an_unknown_kind():
    assert errors_of("2026-01-01,vacation,元旦\n") == [
        {"line": 1, "reason": "未知类型“vacation”，应为 holiday（放假）或 workday（上班）"}
    ]


def test_it_reports_a_date_outside_the_year():
    assert errors_of("2026-01-01,holiday,元旦\n2027-02-06,holiday,春节\n", year=2026) == [
        {"line": 2, "reason": "日期 2027-02-06 不在 2026 年内"}
    ]


def test_it_reports_overlapping_ranges():
    errors = errors_of("2026-02-15..2026-02-20,holiday,春节\n2026-02-19..2026-02-23,holiday,春节\n")
    assert [e["line"] for e in errors] == [2, 2]
    assert errors[0]["reason"] == "日期 2026-02-19 与第 1 行重复或重叠"


def test_it_reports_a_holiday_also_declared_workday():
    errors = errors_of("2026-02-14,workday,春节调休\n2026-02-14,holiday,春节\n")
    assert errors == [{"line": 2, "reason": "日期 2026-02-14 同时被声明为放假和上班（另见第 1 行）"}]


def test_it_reports_an_end_before_its_start():
    assert errors_of("2026-02-23..2026-02-15,holiday,春节\n") == [
        {"line": 1, "reason": "结束日期 2026-02-15 早于开始日期 2026-02-23"}
    ]


def test_it_reports_a_workday_on_a_weekday():
    assert errors_of("2026-02-13,workday,春节调休\n") == [
        {"line": 1, "reason": "调休上班日 2026-02-13 是周五，应为周六或周日"}
    ]


def test_it_collects_every_error_at_once():
    errors = errors_of("2026-01-01,holiday\n2026-01-32,holiday,x\nfoo\n2026-02-01,rest,x\n")
    assert [e["line"] for e in errors] == [2, 3, 4]
