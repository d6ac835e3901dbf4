"""The quarter's service-check report as xlsx and PDF: findings, fixes, what is still open; a finding
of the same hall and category as an earlier quarter's is highlighted (重复问题)."""

from __future__ import annotations

from html import escape
from io import BytesIO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from yiwang.cases.notices import notice_font
from yiwang.core.xlsx import workbook_bytes

from .selectors import CheckReport

HEADERS = [
    "序号",
    "大厅",
    "窗口",
    "事项",
    "责任部门",
    "问题类别",
    "严重程度",
    "问题描述",
    "重复问题",
    "整改编号",
    "整改状态",
    "到期日",
    "整改措施",
]
REPEAT_FILL = PatternFill("solid", fgColor="FFE0B2")


def _rows(report: CheckReport) -> list[list]:
    rows = []
    for index, f in enumerate(report.findings, start=1):
        r = f.rectification
        rows.append(
            [
                index,
                f.hall.name,
                f.window.label if f.window_id else "",
                f.item.name if f.item_id else "",
                f.department.short_name,
                f.get_category_display(),
                f.get_severity_display(),
                str(f.description),
                "是" if f.repeated else "",
                r.number,
                r.get_state_display(),
                r.due_on.isoformat(),
                str(r.measures_taken or ""),
            ]
        )
    return rows


def _summary(report: CheckReport) -> list[tuple[str, int]]:
    return [
        ("发现问题", report.total),
        ("已整改办结", report.fixed),
        ("仍在整改", report.open),
        ("申诉成立", report.annulled),
        ("重复问题", report.repeated),
    ]


def check_report_xlsx(report: CheckReport) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    ws.append([report.check.title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([f"{report.check.period}，生成时间 {timezone.localtime():%Y-%m-%d %H:%M}"])
    ws.append([])
    for label, value in _summary(report):
        ws.append([label, value])
    ws.append([])
    ws.append(["问题类别", "数量"])
    for label, count in report.by_category:
        ws.append([label, count])
    ws.append([])
    ws.append(["大厅", "发现问题", "已整改办结"])
    for name, total, fixed in report.by_hall:
        ws.append([name, total, fixed])
    detail = wb.create_sheet("问题清单")
    detail.append(HEADERS)
    for cell in detail[1]:
        cell.font = Font(bold=True)
    for row in _rows(report):
        detail.append(row)
        if row[8]:
            for cell in detail[detail.max_row]:
                cell.fill = REPEAT_FILL
    for column, width in zip("ABCDEFGHIJKLM", (6, 22, 14, 22, 16, 12, 10, 40, 10, 16, 12, 12, 40), strict=True):
        detail.column_dimensions[column].width = width
    return workbook_bytes(wb)


def check_report_pdf(report: CheckReport) -> bytes:
    font = notice_font()
    title = ParagraphStyle("t", fontName=font, fontSize=16, leading=24, alignment=TA_CENTER)
    plain = ParagraphStyle("p", fontName=font, fontSize=10, leading=15)
    cell = ParagraphStyle("c", fontName=font, fontSize=8, leading=11)
    buffer = BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm)
    story = [
        Paragraph(escape(report.check.title), title),
        Paragraph(escape(f"{report.check.period}　生成时间 {timezone.localtime():%Y-%m-%d %H:%M}"), plain),
        Spacer(1, 4 * mm),
        Paragraph(escape("；".join(f"{label} {value} 项" for label, value in _summary(report))), plain),
        Spacer(1, 4 * mm),
    ]
    columns = [0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    data = [[Paragraph(escape(HEADERS[i]), cell) for i in columns]]
    repeated_rows = []
    for n, row in enumerate(_rows(report), start=1):
        data.append([Paragraph(escape(str(row[i])), cell) for i in columns])
        if row[8]:
            repeated_rows.append(n)
    widths = [10, 30, 18, 24, 16, 12, 60, 12, 24, 16, 18, 50]
    table = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E3F2FD")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    style += [("BACKGROUND", (0, n), (-1, n), colors.HexColor("#FFE0B2")) for n in repeated_rows]
    table.setStyle(TableStyle(style))
    story.append(table)
    if repeated_rows:
        story += [Spacer(1, 3 * mm), Paragraph("橙色底纹为重复问题（同一大厅、同一类别在此前季度已发现过）。", plain)]
    doc.build(story)
    return buffer.getvalue()
