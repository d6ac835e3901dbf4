"""``manage.py measures rebuild|check [--metric M]…`` and ``manage.py measures fold``."""

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from yiwang.measures.registry import metrics as registered_metrics
from yiwang.measures.selectors import measures_check
from yiwang.measures.services import measures_fold, measures_rebuild


class Command(BaseCommand):
    help = "月度统计：从业务数据重算（rebuild），核对已存统计与重算结果（check），或汇入待汇总增量（fold）。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        for name, text in (("rebuild", "删除并重算统计数据"), ("check", "核对已存统计与重算结果，不写入")):
            command = sub.add_parser(name, help=text)
            command.add_argument("--metric", action="append", dest="metrics", help="只处理这个指标（可重复）")
        sub.add_parser("fold", help="把待汇总的增量汇入月度统计（定时任务每分钟执行一次）")

    def handle(self, *args, subcommand, metrics=None, **options):
        if subcommand == "fold":
            self.stdout.write(self.style.SUCCESS(f"已汇入 {measures_fold()} 条待汇总增量"))
            return
        known = sorted(registered_metrics())
        names = metrics or known
        unknown = [name for name in names if name not in known]
        if unknown:
            raise CommandError(f"未登记的统计指标：{'、'.join(unknown)}（已登记：{'、'.join(known)}）")
        if subcommand == "rebuild":
            with tqdm(total=len(names), unit="项", desc="重算统计", file=sys.stderr, disable=None) as bar:
                written = measures_rebuild(metrics=names, progress=lambda name, rows: bar.update(1))
            for name, rows in written.items():
                self.stdout.write(f"{name}：{rows} 行")
            self.stdout.write(self.style.SUCCESS(f"重算完成：{len(written)} 项指标，共 {sum(written.values())} 行"))
            return
        differences = measures_check(metrics=names)
        for difference in differences:
            self.stdout.write(str(difference))
        if differences:
            raise CommandError(f"统计核对发现 {len(differences)} 处不一致；可运行 measures rebuild 重算")
        self.stdout.write(self.style.SUCCESS(f"统计核对一致：{len(names)} 项指标"))
