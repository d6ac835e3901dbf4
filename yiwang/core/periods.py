"""Reporting periods: the one range of dates a dashboard, a KPI query or an export accepts.

Figures start with the platform's history (``FIRST_YEAR``) and end a year ahead of today; a date
outside that range — ``0001-01-01``, ``9999-12`` — is refused with ``period.out_of_range`` (400)
before any date arithmetic can overflow, and a period that ends before it starts with
``period.reversed``.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from yiwang.core.errors import ApplicationError

FIRST_YEAR = 2000


def period_bounds(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or timezone.localdate()
    return dt.date(FIRST_YEAR, 1, 1), dt.date(today.year + 1, 12, 31)


def period_check(start: dt.date | None, end: dt.date | None, *, today: dt.date | None = None) -> None:
    """Refuse a reporting period outside the range figures exist for, or one that ends before it starts."""
    low, high = period_bounds(today)
    for field, value in (("start", start), ("end", end)):
        if value is not None and not (low <= value <= high):
            raise ApplicationError(
                "period.out_of_range",
                f"日期 {value.isoformat()} 超出可查询范围（{low.isoformat()} 至 {high.isoformat()}）",
                details={"field": field, "value": value.isoformat(), "min": low.isoformat(), "max": high.isoformat()},
                status=400,
            )
    if start is not None and end is not None and start > end:
        raise ApplicationError(
            "period.reversed",
            "起始日期不能晚于截止日期",
            details={"field": "start", "start": start.isoformat(), "end": end.isoformat()},
            status=400,
        )


def month_param(value: str | None, *, today: dt.date | None = None) -> tuple[dt.date | None, str]:
    """The month a list's ``YYYY-MM`` filter names (its first day), or ``(None, why it is not one)``: a blank
    filter is ``(None, "")``; a month outside the range figures exist for (``period_bounds``) is not one."""
    value = (value or "").strip()
    if not value:
        return None, ""
    try:
        month = dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        month = None
    low, high = period_bounds(today)
    if month is None or not low <= month <= high:
        return None, f"“{value[:20]}”不是可查询的月份，请按“年-月”填写，例如 2026-05；已列出全部月份。"
    return month, ""
