"""Load the Meixian demo: every app's ``demo`` package (its ``seed``) in dependency order. Idempotent.

The bulk loaders write months of history without going through the services, so the command ends by
rebuilding the monthly roll-ups from those rows and recording every clock's current deadline status
(without notices: the history's alarms are past), as a deployment does after a data migration.
"""

import importlib
import time

from django.core.management.base import BaseCommand

from yiwang.hotline import similar
from yiwang.measures.services import measures_rebuild
from yiwang.workdays.sweep import clocks_sweep

# Order matters: later seeds use what earlier ones created (regions, departments, users…).
DEMO_MODULES = [
    "yiwang.org.demo",
    "yiwang.catalog.demo",
    "yiwang.cases.demo",
    "yiwang.hotline.demo",
    "yiwang.credit.demo",
    "yiwang.cases.demo.founding",  # 企业开办 through the services: needs the credit entities for its name check
    "yiwang.licences.demo",
    "yiwang.ratings.demo",
    "yiwang.inspections.demo",
    "yiwang.projects.demo",
    "yiwang.policies.demo",
    "yiwang.supervision.demo",
    "yiwang.accounts.demo",
]


class Command(BaseCommand):
    help = "载入眉县演示数据（可重复执行，不会重复创建）"

    def handle(self, *args, **options):
        started = time.monotonic()
        for index, module_name in enumerate(DEMO_MODULES, start=1):
            module = importlib.import_module(module_name)
            self.stdout.write(self.style.MIGRATE_HEADING(f"[{index}/{len(DEMO_MODULES)}] {module_name}"))
            module.seed(stdout=self.stdout)
        self.stdout.write(self.style.MIGRATE_HEADING("统计与期限"))
        written = measures_rebuild()
        self.stdout.write(f"  月度统计已重算：{len(written)} 项指标，{sum(written.values())} 行")
        report = clocks_sweep(call_handlers=False)
        self.stdout.write(f"  期限状态已记录：{report.checked} 个期限")
        marked = similar.index()
        self.stdout.write(f"  相似诉求已保存：{marked} 件在办、待回访诉求")
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"演示数据已就绪（{elapsed:.1f} 秒）"))
