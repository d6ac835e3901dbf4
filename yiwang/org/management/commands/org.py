"""``manage.py org template|import|export`` — regions and departments as an Excel workbook.

    manage.py org template 区划与部门模板.xlsx
    manage.py org import 广安区.xlsx --actor admin
    manage.py org export out.xlsx

Import is all or nothing: with any error nothing changes and every error is printed with its sheet,
row and column; the exit status is then 1. The same file twice changes nothing and says so.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Prefetch
from tqdm import tqdm

from yiwang.core.errors import ApplicationError
from yiwang.org import excel, services
from yiwang.org.models import Department, DepartmentAlias, Region, User
from yiwang.org.scoping import scope_for


class Command(BaseCommand):
    help = "行政区划与部门 Excel 导入、导出与模板"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="导入 Excel（整份校验，有错误不做任何修改）")
        imp.add_argument("file")
        imp.add_argument("--actor", help="操作人用户名（须有“维护部门、用户与角色”权限；记入审计）")
        exp = sub.add_parser("export", help="导出全部行政区划与部门（与导入模板相同）")
        exp.add_argument("file")
        tpl = sub.add_parser("template", help="生成空白模板")
        tpl.add_argument("file")

    def handle(self, *args, **options):
        getattr(self, f"_{options['action']}")(options)

    def _import(self, options):
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        actor = None
        if options["actor"]:
            actor = User.objects.filter(username=options["actor"], is_active=True).first()
            if actor is None:
                raise CommandError(f"用户不存在：{options['actor']}")
            if not scope_for(actor).can("org.manage"):
                raise CommandError(f"用户 {actor.username} 无权维护部门与区划")
        parsed = excel.workbook_parse(path)
        failure = None
        # The bar is closed before any error is printed, so it never sticks to an error line.
        with tqdm(
            total=len(parsed.regions) + len(parsed.departments),
            desc="导入区划与部门",
            unit="行",
            file=sys.stderr,
            leave=False,
        ) as bar:
            try:
                report = services.org_import(
                    regions=parsed.regions,
                    departments=parsed.departments,
                    errors=parsed.errors,
                    actor=actor,
                    progress=bar.update,
                )
            except ApplicationError as error:
                failure = error
        if failure is not None:
            for cell in failure.details.get("errors", []):
                self.stderr.write(str(excel.CellError(**cell)))
            raise CommandError(failure.message)
        if not report.changed:
            self.stdout.write(
                self.style.SUCCESS(
                    f"无变化：文件与现有数据一致（行政区划 {report.regions_unchanged}，部门 {report.departments_unchanged}）"
                )
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"导入完成：行政区划新建 {report.regions_created}，更新 {report.regions_updated}，"
                f"未变 {report.regions_unchanged}；部门新建 {report.departments_created}，"
                f"更新 {report.departments_updated}，未变 {report.departments_unchanged}，"
                f"新增别名 {report.aliases_created}"
            )
        )

    def _export(self, options):
        regions = Region.objects.select_related("parent").order_by("path")
        departments = (
            Department.objects.select_related("region")
            .prefetch_related(Prefetch("aliases", queryset=DepartmentAlias.objects.order_by("pk")))
            .order_by("region__code", "code")
        )
        excel.workbook_export(regions, departments).save(options["file"])
        self.stdout.write(
            self.style.SUCCESS(f"已导出行政区划 {regions.count()}、部门 {departments.count()} 到 {options['file']}")
        )

    def _template(self, options):
        excel.template_workbook().save(options["file"])
        self.stdout.write(self.style.SUCCESS(f"模板已生成：{options['file']}"))
