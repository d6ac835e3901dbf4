"""The leader's page: measured values next to the plan's targets, charts, and an Excel export."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from openpyxl import Workbook
from openpyxl.styles import Font

from yiwang.core.errors import ApplicationError
from yiwang.org.permissions import action_required
from yiwang.workdays.selectors import add_workdays

from .. import selectors
from ..forms import PeriodForm
from ..models import Channel

DEFAULT_MONTHS = 6


def _period(request) -> tuple[dt.date, dt.date, PeriodForm]:
    today = timezone.localdate()
    default_start = (today.replace(day=1) - dt.timedelta(days=31 * (DEFAULT_MONTHS - 1))).replace(day=1)
    form = PeriodForm(request.GET or None, initial={"start": default_start, "end": today})
    start, end = default_start, today
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    elif form.is_bound and (request.GET.get("start") or request.GET.get("end")):
        # A period that cannot be read (0001-01-01, 9999-12-31, end before start) is refused, not guessed.
        message = next(iter(form.errors.values()))[0]
        raise ApplicationError(
            getattr(form, "error_code", "period.invalid"),
            message,
            details={"errors": {k: [str(e) for e in v] for k, v in form.errors.items()}},
            status=400,
        )
    # The figures are monthly roll-ups: the period is the whole months it touches.
    start, end = selectors.whole_months(start, end)
    return start, end, form


def _pct(value):
    return None if value is None else round(value * 100, 1)


ITEMS_SHOWN = 30  # items the page's 按事项 table lists, the busiest first; the count and the workbook are of all


@action_required("case.measures")
def leader_page(request):
    start, end, form = _period(request)
    m = selectors.case_measures(request.user, start=start, end=end)
    for row in m.by_department:
        row["late"] = row["decided"] - row["on_time"]
    channels = [c.value for c in Channel]
    charts = {
        "months": [row["month"] for row in m.by_month],
        "series": [
            {
                "name": str(Channel(c).label),
                "type": "bar",
                "stack": "all",
                "data": [row.get(c, 0) for row in m.by_month],
            }
            for c in channels
        ],
        "departments": [row["department"] for row in m.by_department[:12]],
        "on_time": [_pct(row["on_time_rate"]) for row in m.by_department[:12]],
        "avg_days": [round(row["avg_workdays"] or 0, 1) for row in m.by_department[:12]],
        "opening_labels": [b["label"] for b in m.opening.get("distribution", [])],
        "opening_counts": [b["n"] for b in m.opening.get("distribution", [])],
    }
    return render(
        request,
        "cases/leader.html",
        {
            "m": m,
            "form": form,
            "start": start,
            "end": end,
            "charts": charts,
            "pct": {
                "on_time": _pct(m.on_time_rate),
                "fully_online": _pct(m.fully_online_share),
                "zero_visit": _pct(m.zero_visit_share),
                "online": _pct(m.online_share),
                "opening_within": _pct(m.opening.get("within_share")),
            },
            "export_query": request.GET.urlencode(),
            "period_query": urlencode({"start": start.isoformat(), "end": end.isoformat()}),
            "late": m.decided - m.on_time,
            "items_shown": m.by_item[:ITEMS_SHOWN],
            "dept_chart_height": max(320, 110 + 34 * len(charts["departments"])),
            "next_workday": add_workdays(timezone.localdate(), 1).due,
        },
    )


@action_required("case.measures")
def leader_export(request):
    start, end, _form = _period(request)
    m = selectors.case_measures(request.user, start=start, end=end)
    book = Workbook()
    sheet = book.active
    sheet.title = "总体"
    bold = Font(bold=True)
    rows = [
        ("统计期间", f"{start.isoformat()} 至 {end.isoformat()}"),
        ("申请件数", m.submitted),
        ("办结件数", m.decided),
        ("按时办结率", _pct(m.on_time_rate)),
        ("平均办理用时（工作日，受理至决定）", round(m.avg_workdays, 2) if m.avg_workdays is not None else None),
        ("网上申请占比（%）", _pct(m.online_share)),
        ("全程网办占比（%）", _pct(m.fully_online_share)),
        ("零跑动占比（%）", _pct(m.zero_visit_share)),
        ("容缺受理件数", m.deferred),
        ("容缺材料逾期未补", m.deferred_overdue),
        ("告知承诺件数", m.pledges),
        ("承诺核查逾期", m.verifications_overdue),
        ("在办超期件数", m.open_overdue),
        ("企业开办办结件数", m.opening.get("completed")),
        ("企业开办用时中位数（工作日）", m.opening.get("median_workdays")),
        ("企业开办1个工作日内办结占比（%）", _pct(m.opening.get("within_share"))),
    ]
    sheet.append(("指标", "数值"))
    for row in rows:
        sheet.append(row)
    sheet.column_dimensions["A"].width = 40
    for sheet_name, header, data in (
        (
            "按部门",
            ("部门", "办结件数", "按时办结件数", "按时办结率（%）", "平均用时（工作日）"),
            [
                (r["department"], r["decided"], r["on_time"], _pct(r["on_time_rate"]), r["avg_workdays"])
                for r in m.by_department
            ],
        ),
        (
            "按事项",
            ("事项", "部门", "办结件数", "按时办结率（%）", "平均用时（工作日）"),
            [(r["item"], r["department"], r["decided"], _pct(r["on_time_rate"]), r["avg_workdays"]) for r in m.by_item],
        ),
        (
            "按月按渠道",
            ("月份", *[str(c.label) for c in Channel]),
            [(r["month"], *[r.get(c.value, 0) for c in Channel]) for r in m.by_month],
        ),
    ):
        ws = book.create_sheet(sheet_name)
        ws.append(header)
        for row in data:
            ws.append(row)
        ws.column_dimensions["A"].width = 30
    for ws in book.worksheets:
        for cell in ws[1]:
            cell.font = bold
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="cases-{start.isoformat()}-{end.isoformat()}.xlsx"'
    return response
