from django.core.management.base import BaseCommand

from yiwang.org.services import department_load_from_data, region_load_from_data


class Command(BaseCommand):
    help = "导入眉县行政区划与部门（含别名）参考数据（可重复执行）"

    def handle(self, *args, **options):
        regions = region_load_from_data(actor=None)
        self.stdout.write(
            f"行政区划：新建 {regions['created']}，更新 {regions['updated']}，未变 {regions['unchanged']}"
        )
        departments = department_load_from_data(actor=None)
        self.stdout.write(
            f"部门：新建 {departments['departments_created']}，更新 {departments['departments_updated']}，"
            f"新增别名 {departments['aliases_created']}"
        )
