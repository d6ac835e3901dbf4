"""``manage.py audit verify [--stream KEY] [--since YYYY-MM-DD]``, ``audit seal`` and ``audit show --object app.model:id``."""

import argparse
import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from yiwang.core.audit import audit_history, audit_seal, audit_streams, audit_verify
from yiwang.core.models import AuditEvent


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{value}") from None


class Command(BaseCommand):
    help = "审计日志：校验哈希链（verify），查看对象的变更历史（show）。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="重新计算每个流的哈希链，报告被修改或删除的事件")
        verify.add_argument("--stream", help="只校验这个流，如 610326:2025-03-01")
        verify.add_argument("--since", type=_date, help="只校验此日期（含）之后的流，YYYY-MM-DD")
        sub.add_parser("seal", help="把已提交但尚未入链的事件按顺序链入各自的流（定时任务每秒执行一次）")
        show = sub.add_parser("show", help="列出一个对象的审计历史")
        show.add_argument("--object", required=True, dest="target", help="app_label.model:id，如 org.user:12")

    def handle(self, *args, subcommand, **options):
        if subcommand == "verify":
            self.verify(stream_key=options["stream"], since=options["since"], verbosity=options["verbosity"])
        elif subcommand == "seal":
            self.stdout.write(f"入链 {audit_seal()} 条事件")
        else:
            self.show(options["target"])

    def verify(self, *, stream_key, since, verbosity):
        audit_seal(stream_key=stream_key)  # the count below then includes what was waiting
        total = AuditEvent.objects.filter(stream__in=audit_streams(stream_key=stream_key, since=since)).count()
        # tqdm hides itself when stderr is not a terminal (disable=None).
        with tqdm(
            total=total, unit="条", desc="校验审计链", file=sys.stderr, disable=None if verbosity else True
        ) as bar:
            result = audit_verify(stream_key=stream_key, since=since, on_event=bar.update)
        if stream_key and not result.streams:
            raise CommandError(f"没有这个审计流：{stream_key}")
        for problem in result.problems:
            self.stderr.write(problem.message)
        if not result.ok:
            raise CommandError(
                f"审计链校验失败：{result.streams} 个流，{result.events} 条事件，发现 {len(result.problems)} 处问题"
            )
        self.stdout.write(self.style.SUCCESS(f"审计链校验通过：{result.streams} 个流，{result.events} 条事件"))

    def show(self, target: str):
        object_type, sep, object_id = target.partition(":")
        if not sep or "." not in object_type or not object_id:
            raise CommandError(f"对象应写成 app_label.model:id，如 org.user:12（收到 {target!r}）")
        events = list(audit_history(object_type=object_type, object_id=object_id))
        if not events:
            self.stdout.write(f"{object_type}:{object_id} 没有审计记录")
            return
        for event in events:
            when = timezone.localtime(event.occurred_at).strftime("%Y-%m-%d %H:%M:%S")
            self.stdout.write(
                f"{when}  {event.stream.key}#{event.seq or '待入链'}  {event.actor_label}  {event.action}"
            )
            changes = _changes(event.before, event.after)
            for name, (old, new) in changes.items():
                self.stdout.write(f"    {name}: {old!r} → {new!r}")
            if event.details:
                self.stdout.write(f"    详情: {event.details}")
        self.stdout.write(f"共 {len(events)} 条")


def _changes(before, after) -> dict:
    before, after = before or {}, after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return {"值": (before, after)} if before != after else {}
    return {
        k: (before.get(k), after.get(k)) for k in sorted(before.keys() | after.keys()) if before.get(k) != after.get(k)
    }
