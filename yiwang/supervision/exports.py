"""Excel of the ledgers (清欠台账, 专项治理) with the columns a supervision office keeps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from yiwang.core.xlsx import workbook_bytes

from .models import LedgerItem

LEDGER_COLUMNS = (
    "编号",
    "台账",
    "类别",
    "事项",
    "责任单位",
    "关联任务",
    "债权企业",
    "统一社会信用代码",
    "拖欠金额（元）",
    "已清偿（元）",
    "未清偿（元）",
    "登记日期",
    "完成时限",
    "状态",
    "是否逾期",
    "销号日期",
    "备注",
)


def _row(item: LedgerItem, today: dt.date) -> list:
    owed = item.amount_owed
    outstanding = (owed - item.amount_paid) if owed is not None else None
    overdue = item.state == LedgerItem.State.OPEN and item.due_on < today
    return [
        item.number,
        item.get_kind_display(),
        item.category,
        item.title,
        item.department.name,
        item.task.title if item.task_id else "",
        item.creditor,
        item.creditor_uscc,
        owed,
        item.amount_paid,
        outstanding,
        item.registered_on,
        item.due_on,
        item.get_state_display(),
        "是" if overdue else "否",
        item.cleared_on,
        item.note,
    ]


def ledger_xlsx(items, *, today: dt.date) -> bytes:
    """One sheet per ledger kind present in ``items`` (already scoped), a totals row under each."""
    wb = Workbook()
    wb.remove(wb.active)
    by_kind: dict[str, list[LedgerItem]] = {}
    for item in items:
        by_kind.setdefault(item.kind, []).append(item)
    for kind, label in LedgerItem.Kind.choices:
        if kind not in by_kind and by_kind:
            continue
        ws = wb.create_sheet(str(label)[:31])
        ws.append(LEDGER_COLUMNS)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        rows = by_kind.get(kind, [])
        for item in rows:
            ws.append(_row(item, today))
        owed = sum((i.amount_owed or Decimal(0) for i in rows), Decimal(0))
        paid = sum((i.amount_paid for i in rows), Decimal(0))
        cleared = sum(1 for i in rows if i.state == LedgerItem.State.CLEARED)
        ws.append(["合计", f"{len(rows)}项，已销号{cleared}项", "", "", "", "", "", "", owed, paid, owed - paid])
        for letter, width in zip(
            "ABCDEFGHIJKLMNOPQ", (18, 10, 12, 36, 22, 30, 28, 20, 14, 14, 14, 12, 12, 8, 8, 12, 30), strict=True
        ):
            ws.column_dimensions[letter].width = width
        for row in ws.iter_rows(min_row=2, min_col=9, max_col=11):
            for cell in row:
                cell.number_format = "#,##0.00"
        for row in ws.iter_rows(min_row=2, min_col=12, max_col=16):
            for cell in row:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
        ws.freeze_panes = "A2"
    return workbook_bytes(wb)
