"""``manage.py cases sweep [--date YYYY-MM-DD]``: mark deadlines and notify (the same work as the Celery task)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from yiwang.cases.services import cases_sweep


class Command(BaseCommand):
    help = "办件：期限巡检（临期、到期、超期标记并通知）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sweep = sub.add_parser("sweep", help="巡检在办办件的期限")
        sweep.add_argument("--date", help="按哪一天判断（默认今天），格式 YYYY-MM-DD")

    def handle(self, *args, **options):
        if options["action"] == "sweep":
            today = None
            if options.get("date"):
                try:
                    today = dt.date.fromisoformat(options["date"])
                except ValueError:
                    raise CommandError(f"日期格式不正确：{options['date']}（应为 YYYY-MM-DD）") from None
            report = cases_sweep(today=today)
            marked = "，".join(f"{k} {v}" for k, v in sorted(report.marked.items())) or "无变化"
            self.stdout.write(
                f"巡检办件 {report.checked} 件；期限标记：{marked}；容缺逾期 {report.deferred_overdue}；"
                f"承诺核查超期 {report.verifications_overdue}"
            )
