"""The plan's task list as an Excel workbook (检查任务清单): inspectors and offices keep their lists in Excel."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Font

from yiwang.core.xlsx import workbook_bytes
from yiwang.inspections.selectors import plan_tasks, task_deadline

HEADER = [
    "市场主体",
    "统一社会信用代码",
    "住所",
    "所在镇街",
    "抽取时风险分类",
    "检查人员（执法证号）",
    "状态",
    "检查日期",
    "检查结果",
    "检查情况",
    "公示期限",
    "公示日期",
]


def plan_tasks_xlsx(plan) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "检查任务清单"
    ws.append([f"{plan.number} {plan.title}"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(
        [f"检查期间 {plan.period_start:%Y-%m-%d} 至 {plan.period_end:%Y-%m-%d}；随机种子承诺值 {plan.commitment}"]
    )
    ws.append(HEADER)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for task in plan_tasks(plan):
        deadline = task_deadline(task)
        ws.append(
            [
                task.entity.name,
                task.entity.uscc,
                task.entity.address,
                task.region.name,
                task.risk_class,
                "、".join(f"{a.inspector.name}（{a.inspector.certificate_no}）" for a in task.assignments.all()),
                task.get_state_display(),
                task.inspected_on,
                task.get_result_display() if task.result else "",
                task.findings,
                deadline.display() if deadline else "",
                task.published_at.date() if task.published_at else None,
            ]
        )
    for column, width in zip("ABCDEFGHIJKL", (32, 22, 28, 10, 8, 36, 10, 12, 26, 30, 14, 12), strict=True):
        ws.column_dimensions[column].width = width
    return workbook_bytes(wb)
