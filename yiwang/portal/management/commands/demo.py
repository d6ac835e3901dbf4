"""Load the Meixian demo: every app's ``demo`` package (its ``seed``) in dependency order. Idempotent."""

import importlib
import time

from django.core.management.base import BaseCommand

# Order matters: later seeds use what earlier ones created (regions, departments, users…).
DEMO_MODULES = [
    "yiwang.org.demo",
    "yiwang.catalog.demo",
    "yiwang.cases.demo",
    "yiwang.hotline.demo",
]


class Command(BaseCommand):
    help = "载入眉县演示数据（可重复执行，不会重复创建）"

    def handle(self, *args, **options):
        started = time.monotonic()
        for index, module_name in enumerate(DEMO_MODULES, start=1):
            module = importlib.import_module(module_name)
            self.stdout.write(self.style.MIGRATE_HEADING(f"[{index}/{len(DEMO_MODULES)}] {module_name}"))
            module.seed(stdout=self.stdout)
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"演示数据已就绪（{elapsed:.1f} 秒）"))
