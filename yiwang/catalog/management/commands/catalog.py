"""``manage.py catalog import|export|template|check`` — the catalog's Excel round trip on the command line.

    manage.py catalog import 清单.xlsx --actor zhoumin --reason "眉政办发〔2021〕12号"
    manage.py catalog import 清单.xlsx --actor admin --reason "…" --baseline   # publish new items directly
    manage.py catalog export out.xlsx --level town
    manage.py catalog template 模板.xlsx
    manage.py catalog check                                                   # consistency report

Import is all or nothing: with any error nothing changes and every error is printed with its sheet,
row and column; the exit status is then 1. A successful import lists every warning the same way.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from yiwang.core.errors import ApplicationError
from yiwang.org.models import User

from ... import excel, services
from ...elements import item_elements
from ...models import ItemLevel, ItemStatus, ServiceItem
from ...rules import elements_problems
from ...selectors import items_data_quality


def _where(cell: dict) -> str:
    """“事项清单 第3行 “到办事现场次数”列” for an error or warning of the import report."""
    parts = (
        cell.get("sheet") or "",
        f"第{cell['row']}行" if cell.get("row") else "",
        f"“{cell['column']}”列" if cell.get("column") else "",
    )
    return " ".join(part for part in parts if part)


class Command(BaseCommand):
    help = "事项清单 Excel 导入、导出、模板与一致性检查"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="导入 Excel（整份校验，有错误不做任何修改）")
        imp.add_argument("file")
        imp.add_argument("--actor", required=True, help="操作人用户名（记入审计和版本）")
        imp.add_argument("--reason", required=True, help="导入依据或调整理由")
        imp.add_argument("--baseline", action="store_true", help="初始清单：新增事项直接发布（仅管理员）")
        exp = sub.add_parser("export", help="导出事项（与导入模板相同）")
        exp.add_argument("file")
        exp.add_argument("--level", choices=ItemLevel.values)
        exp.add_argument("--department", help="部门编码（主管或实施）")
        exp.add_argument("--status", choices=ItemStatus.values, default=ItemStatus.PUBLISHED)
        tpl = sub.add_parser("template", help="生成空白模板")
        tpl.add_argument("file")
        sub.add_parser("check", help="列出不符合一致性规则或需关注的事项")

    def handle(self, *args, **options):
        getattr(self, f"_{options['action']}")(options)

    def _import(self, options):
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        actor = User.objects.filter(username=options["actor"], is_active=True).first()
        if actor is None:
            raise CommandError(f"用户不存在：{options['actor']}")
        bar = tqdm(desc="导入事项", unit="项", file=sys.stderr, leave=False)
        try:
            report = services.catalog_import(
                file=path, actor=actor, reason=options["reason"], baseline=options["baseline"], progress=bar.update
            )
        except ApplicationError as error:
            bar.close()  # before the first line of the list, or the bar sticks to it
            for cell in error.details.get("errors", []):
                self.stderr.write(f"{_where(cell)}：{cell['message']}")
            raise CommandError(error.message) from None
        finally:
            bar.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"导入完成：直接发布 {len(report.published)}，新增待审 {len(report.proposed_new)}，"
                f"调整待审 {len(report.proposed_changes)}，无变化 {len(report.unchanged)}，提示 {len(report.warnings)}"
            )
        )
        for cell in report.warnings:
            self.stdout.write(f"[提示] {_where(cell)}：{cell['message']}")

    def _export(self, options):
        items = ServiceItem.objects.filter(status=options["status"])
        if options["level"]:
            items = items.filter(level=options["level"])
        if options["department"]:
            items = items.filter(competent_department__code=options["department"]) | items.filter(
                implementing_department__code=options["department"]
            )
        wb = excel.workbook_export(items.order_by("code"))
        wb.save(options["file"])
        self.stdout.write(self.style.SUCCESS(f"已导出 {items.count()} 项到 {options['file']}"))

    def _template(self, options):
        excel.template_workbook().save(options["file"])
        self.stdout.write(self.style.SUCCESS(f"模板已生成：{options['file']}"))

    def _check(self, options):
        items = (
            ServiceItem.objects.exclude(status=ItemStatus.WITHDRAWN)
            .select_related("competent_department", "implementing_department")
            .prefetch_related("materials")
        )
        errors = warnings = 0
        for item in tqdm(items, desc="检查", unit="项", file=sys.stderr, leave=False):
            for problem in elements_problems(item_elements(item)):
                if problem.severity == "error":
                    errors += 1
                else:
                    warnings += 1
                self.stdout.write(
                    f"{item.code} {item.name}：[{'错误' if problem.severity == 'error' else '提示'}] {problem.message}"
                )
        quality = items_data_quality(ServiceItem.objects.all())
        for item, missing in quality:
            self.stdout.write(f"{item.code} {item.name}：[未列明] {'、'.join(missing)}")
        self.stdout.write(
            self.style.SUCCESS(f"检查完成：错误 {errors}，提示 {warnings}，有未列明要素的事项 {len(quality)}")
        )
