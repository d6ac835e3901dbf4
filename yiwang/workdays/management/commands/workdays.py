"""``manage.py workdays add|count|import|show`` — the working-day calendar from the command line.

manage.py workdays add 2026-02-13 1 [--json]        → 2026-02-14
manage.py workdays count 2026-02-13 2026-02-27 [--json]
manage.py workdays import notice-2027.txt [--year 2027] [--dry-run]
manage.py workdays show 2026
manage.py workdays sweep [--date 2026-03-16] [--json] [--baseline]
"""

import json
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from yiwang.core.errors import ApplicationError
from yiwang.workdays import selectors, services
from yiwang.workdays.calendar import FIRST_YEAR, LAST_YEAR, parse_date
from yiwang.workdays.importing import parse_calendar_text
from yiwang.workdays.sweep import clocks_sweep, sweepable_clocks

WEEKDAYS = "一二三四五六日"


def _days_argument(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        raise CommandError(f"工作日数必须是整数：{text}")
    if days < 0:
        raise CommandError(f"工作日数不能为负数：{days}")
    return days


def _date_argument(text: str):
    try:
        return parse_date(text)
    except ApplicationError as error:
        raise CommandError(error.message)


class Command(BaseCommand):
    help = "工作日日历：计算期限、统计工作日、导入国务院节假日安排、查看某年的节假日"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{add,count,import,show,sweep}")

        add = sub.add_parser("add", help="N 个工作日后是哪天（从起算日的次日开始计算）")
        add.add_argument("date", help="起算日 YYYY-MM-DD")
        add.add_argument("n", help="工作日数（≥ 0）")
        add.add_argument("--json", action="store_true", help="输出 JSON")

        count = sub.add_parser("count", help="起算日次日至截止日（含）之间的工作日数")
        count.add_argument("start", help="起算日 YYYY-MM-DD")
        count.add_argument("end", help="截止日 YYYY-MM-DD")
        count.add_argument("--json", action="store_true", help="输出 JSON")

        imp = sub.add_parser("import", help="导入一年的节假日安排（CSV 或国务院通知原文）")
        imp.add_argument("file", help="文件路径（UTF-8）")
        imp.add_argument("--year", type=int, help="年份（默认取自通知标题或日期）")
        imp.add_argument("--format", choices=["auto", "csv", "notice"], default="auto", help="文件格式（默认自动识别）")
        imp.add_argument("--dry-run", action="store_true", help="只解析和预览，不写入")
        imp.add_argument("--actor", help="记入审计日志的操作人用户名")

        show = sub.add_parser("show", help="列出某年的放假日和调休上班日")
        show.add_argument("year", type=int)

        sweep = sub.add_parser("sweep", help="期限巡检：更新临期、到期、超期状态并通知所属业务（可重复执行）")
        sweep.add_argument("--date", help="按哪一天判断（默认今天），格式 YYYY-MM-DD")
        sweep.add_argument("--json", action="store_true", help="输出 JSON")
        sweep.add_argument(
            "--baseline", action="store_true", help="只记录当前状态，不通知所属业务（上线后首次运行，避免重复提醒）"
        )

    def handle(self, *args, **options):
        handler = getattr(self, f"handle_{options['subcommand']}")
        try:
            handler(options)
        except ApplicationError as error:
            raise CommandError(error.message)

    def handle_add(self, options):
        start = _date_argument(options["date"])
        days = _days_argument(options["n"])
        due = selectors.add_workdays(start, days)
        if options["json"]:
            self.stdout.write(json.dumps({"due": due.due.isoformat(), "provisional": due.provisional}))
        else:
            note = "（临时：依法定规则推算）" if due.provisional else ""
            self.stdout.write(f"{due.due.isoformat()}{note}")

    def handle_count(self, options):
        start = _date_argument(options["start"])
        end = _date_argument(options["end"])
        workdays = selectors.count_workdays(start, end)
        provisional = selectors.count_is_provisional(start, end)
        if options["json"]:
            self.stdout.write(json.dumps({"workdays": workdays, "provisional": provisional}))
        else:
            note = "（临时：依法定规则推算）" if provisional else ""
            self.stdout.write(f"{workdays}{note}")

    def handle_import(self, options):
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise CommandError(f"文件不存在：{path}")
        except UnicodeDecodeError:
            raise CommandError(f"文件不是 UTF-8 编码：{path}")
        actor = None
        if options["actor"]:
            actor = get_user_model().objects.filter(username=options["actor"]).first()
            if actor is None:
                raise CommandError(f"用户不存在：{options['actor']}")
        try:
            parsed = parse_calendar_text(text, year=options["year"], format=options["format"])
        except ApplicationError as error:
            for item in error.details.get("errors", []):
                self.stderr.write(f"line {item['line']}: {item['reason']}")
            raise CommandError(f"导入失败：{error.message}")

        holidays, workdays = len(parsed.holidays), len(parsed.workdays)
        if options["dry_run"]:
            for entry in parsed.entries:
                self.stdout.write(self._day_line(entry.date, entry.kind, entry.name))
            affected = selectors.clocks_touching_year(parsed.year).count()
            self.stdout.write(
                f"预览 {parsed.year} 年（{parsed.format}）：{holidays} 个放假日，{workdays} 个调休上班日；"
                f"导入后将重新计算 {affected} 个期限。--dry-run：未写入任何数据。"
            )
            return
        try:
            result = services.calendar_import_year(
                year=parsed.year, entries=parsed.entries, actor=actor, source_text=text
            )
        except ApplicationError as error:
            for item in error.details.get("errors", []):
                self.stderr.write(f"line {item['line']}: {item['reason']}")
            raise CommandError(f"导入失败：{error.message}")
        self.stdout.write(
            self.style.SUCCESS(
                f"已导入 {parsed.year} 年：{result.holidays} 个放假日，{result.workdays} 个调休上班日；"
                f"重新计算了 {result.recomputed} 个期限（其中 {result.changed} 个有变化）。"
            )
        )

    def handle_sweep(self, options):
        today = _date_argument(options["date"]) if options["date"] else None
        total = sweepable_clocks().count()
        with tqdm(total=total, desc="期限巡检", unit="个", file=sys.stderr, leave=False) as bar:
            report = clocks_sweep(today=today, progress=bar.update, call_handlers=not options["baseline"])
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        else:
            self.stdout.write(report.summary())
        for failure in report.failures:
            self.stderr.write(failure)

    def handle_show(self, options):
        year = options["year"]
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise CommandError(f"年份超出支持范围（{FIRST_YEAR}—{LAST_YEAR}）：{year}")
        summary = selectors.calendar_year_summary(year)
        if summary["official"]:
            record = summary["record"]
            status = f"官方数据（来源：{record.get_source_display()}）"
        else:
            status = "临时：依法定规则推算，未含调休"
        self.stdout.write(f"{year} 年 — {status}")
        for day in summary["days"]:
            self.stdout.write(self._day_line(day.date, day.kind, day.name or ""))
        self.stdout.write(f"共 {summary['holidays']} 个放假日，{summary['workdays']} 个调休上班日")

    @staticmethod
    def _day_line(date, kind, name) -> str:
        label = "放假" if kind == "holiday" else "上班"
        return f"{date.isoformat()} 周{WEEKDAYS[date.weekday()]} {label} {name}".rstrip()
