"""The assessment sheet per department (plan 五（二）: 完善全县营商环境工作考核办法, 纳入年度目标责任考核).

Components, each a percentage, weighted by ``ASSESSMENT_WEIGHTS`` (县级默认值 40 / 30 / 15 / 15 points):

- ``tasks_on_time`` — the department's milestones (as lead) due in the period and completed on time
  (``supervision.milestones``: on_time ÷ count);
- ``indicators`` — the mean DTF score of the sub-measures of the indicators the department answers for;
- ``ratings`` — 好差评 satisfaction of the department's services (``ratings.rated``: level_sum ÷ 5·count);
- ``appeals`` — 12345 satisfaction with the department's replies (``hotline.revisits``: satisfied ÷ count).

A component without data (no milestone due, a module not installed) is left out and the others'
weights are scaled to 100 points, so a department is never marked down for what was not measured.
Every figure is read from the roll-ups.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from io import BytesIO

from yiwang.measures.registry import metrics as registered_metrics
from yiwang.measures.selectors import facts
from yiwang.org.models import Department

from .conf import supervision_setting
from .models import Plan, TaskDepartment
from .selectors import measure_rows

COMPONENTS = {
    "tasks_on_time": "任务节点按时完成率",
    "indicators": "评价指标得分",
    "ratings": "好差评满意度",
    "appeals": "12345满意率",
}


@dataclass
class AssessmentRow:
    department: Department
    components: dict[str, float | None] = field(default_factory=dict)
    detail: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> float | None:
        weights = supervision_setting("ASSESSMENT_WEIGHTS")
        used = {k: w for k, w in weights.items() if self.components.get(k) is not None}
        if not used:
            return None
        return sum(self.components[k] * w for k, w in used.items()) / sum(used.values())


def _by_department(metric: str, months, numerator: str, denominator: str = "count", per: int = 1):
    if metric not in registered_metrics():
        return {}, {}
    rows = facts(metric, months=months, group_by=("department",))
    values, details = {}, {}
    for row in rows:
        den = row[denominator] * per
        if row["department"] is not None and den:
            values[row["department"]] = 100.0 * row[numerator] / den
            details[row["department"]] = f"{row[numerator]}/{den}"
    return values, details


def assessment(*, plan: Plan, months: tuple[dt.date, dt.date]) -> list[AssessmentRow]:
    """One row per lead department of the plan, best total first."""
    department_ids = set(
        TaskDepartment.objects.filter(task__plan=plan, role=TaskDepartment.Role.LEAD).values_list(
            "department_id", flat=True
        )
    )
    departments = {d.pk: d for d in Department.objects.filter(pk__in=department_ids)}
    milestones, milestone_detail = _by_department("supervision.milestones", months, "on_time")
    ratings, ratings_detail = _by_department("ratings.rated", months, "level_sum", per=5)
    appeals, appeals_detail = _by_department("hotline.revisits", months, "satisfied")
    indicator_scores: dict[int, list[float]] = {}
    for row in measure_rows(months=months, region=plan.region):
        department_id = row.measure.indicator.department_id
        if department_id in departments and row.score is not None:
            indicator_scores.setdefault(department_id, []).append(row.score)
    result = []
    for pk, department in departments.items():
        scores = indicator_scores.get(pk)
        result.append(
            AssessmentRow(
                department,
                {
                    "tasks_on_time": milestones.get(pk),
                    "indicators": sum(scores) / len(scores) if scores else None,
                    "ratings": ratings.get(pk),
                    "appeals": appeals.get(pk),
                },
                {
                    "tasks_on_time": milestone_detail.get(pk, ""),
                    "indicators": f"{len(scores)}项" if scores else "",
                    "ratings": ratings_detail.get(pk, ""),
                    "appeals": appeals_detail.get(pk, ""),
                },
            )
        )
    return sorted(result, key=lambda r: (r.total is None, -(r.total or 0), r.department.code))


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def assessment_xlsx(rows: list[AssessmentRow], *, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from yiwang.core.xlsx import workbook_bytes

    weights = supervision_setting("ASSESSMENT_WEIGHTS")
    wb = Workbook()
    ws = wb.active
    ws.title = "考核结果"
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(
        [
            "权重（县级默认值）："
            + "，".join(f"{COMPONENTS[k]} {w}分" for k, w in weights.items())
            + "；无数据的项目不计入，其余按比例折算为百分制"
        ]
    )
    ws.append(["名次", "部门", *COMPONENTS.values(), "综合得分"])
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for rank, row in enumerate(rows, start=1):
        ws.append(
            [
                rank,
                row.department.short_name,
                *[None if row.components[k] is None else round(row.components[k], 1) for k in COMPONENTS],
                None if row.total is None else round(row.total, 1),
            ]
        )
    ws.column_dimensions["B"].width = 26
    for column in "CDEFG":
        ws.column_dimensions[column].width = 16
    return workbook_bytes(wb)


def assessment_pdf(rows: list[AssessmentRow], *, title: str) -> bytes:
    """The sheet for the assessment meeting, A4 landscape, in the system's CJK font."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from yiwang.cases.notices import notice_font

    font = notice_font()
    buffer = BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm)
    heading = ParagraphStyle("h", fontName=font, fontSize=16, leading=24)
    small = ParagraphStyle("s", fontName=font, fontSize=9, leading=13)
    weights = supervision_setting("ASSESSMENT_WEIGHTS")
    data = [["名次", "部门", *COMPONENTS.values(), "综合得分"]]
    for rank, row in enumerate(rows, start=1):
        data.append(
            [str(rank), row.department.short_name, *[_fmt(row.components[k]) for k in COMPONENTS], _fmt(row.total)]
        )
    table = Table(data, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 10),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
                ("ALIGN", (2, 1), (-1, -1), "RIGHT"),
            ]
        )
    )
    story = [
        Paragraph(title, heading),
        Paragraph(
            "权重（县级默认值）："
            + "，".join(f"{COMPONENTS[k]}{w}分" for k, w in weights.items())
            + "。无数据的项目不计入，其余按比例折算为百分制。指标得分按前沿距离法：（最差值−实际值）÷（最差值−前沿值）×100，限定在0—100。",
            small,
        ),
        Spacer(1, 5 * mm),
        table,
    ]
    doc.build(story)
    return buffer.getvalue()
