"""``manage.py cases sweep [--date YYYY-MM-DD]``: the one deadline sweep (same as ``manage.py workdays sweep``)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from yiwang.workdays.sweep import clocks_sweep


class Command(BaseCommand):
    help = "办件：期限巡检（临期、到期、超期标记并通知），即 workdays sweep"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sweep = sub.add_parser("sweep", help="巡检全部在办期限（与 workdays sweep 相同）")
        sweep.add_argument("--date", help="按哪一天判断（默认今天），格式 YYYY-MM-DD")

    def handle(self, *args, **options):
        if options["action"] == "sweep":
            today = None
            if options.get("date"):
                try:
                    today = dt.date.fromisoformat(options["date"])
                except ValueError:
                    raise CommandError(f"日期格式不正确：{options['date']}（应为 YYYY-MM-DD）") from None
            self.stdout.write(clocks_sweep(today=today).summary())
