"""``manage.py supervision import-plan FILE [--dry-run] [--json] [--actor USER]`` and ``load-indicators``.

    manage.py supervision import-plan ../shared/seed/meixian-2021-business-environment-plan.txt
    manage.py supervision import-plan plan.txt --dry-run --json

The plan is read whole: any error (with its line number) and nothing is written, exit status 1.
The same text twice changes nothing and says so. ``--dry-run`` writes nothing and prints what it read.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from yiwang.core.errors import ApplicationError
from yiwang.org.models import User
from yiwang.org.scoping import scope_for
from yiwang.supervision.services.plan import plan_import


class Command(BaseCommand):
    help = "督查督办：导入实施方案"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import-plan", help="从文本导入实施方案（任务、领域、量化目标、时间节点）")
        imp.add_argument("file")
        imp.add_argument("--dry-run", action="store_true", help="只解析，不写入")
        imp.add_argument("--json", action="store_true", help="以 JSON 输出解析结果")
        imp.add_argument("--actor", help="操作人用户名（须有督查室权限；记入审计）")
        sub.add_parser(
            "load-indicators", help="载入（或刷新）国家营商环境评价18项指标及二级指标，保留已调整的前沿值、最差值"
        )

    def handle(self, *args, **options):
        if options["action"] == "load-indicators":
            from yiwang.supervision.services.indicators import indicators_load

            self.stdout.write(f"已载入18项评价指标，二级指标{indicators_load()}项")
            return
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise CommandError(f"文件不是 UTF-8 文本：{path}（{error.reason}，第{error.start}字节）") from None
        actor = None
        if options["actor"]:
            actor = User.objects.filter(username=options["actor"], is_active=True).first()
            if actor is None:
                raise CommandError(f"用户不存在：{options['actor']}")
            if not scope_for(actor).can("supervision.manage"):
                raise CommandError(f"用户 {actor.username} 无权导入方案")
        try:
            result = plan_import(text=text, actor=actor, source_name=path.name, dry_run=options["dry_run"])
        except ApplicationError as error:
            for line in error.details.get("errors", [error.message]):
                self.stderr.write(line)
            raise CommandError(f"方案未导入：{len(error.details.get('errors', [1]))} 处错误") from None
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
            return
        data = result.as_json()
        tasks = sum(len(a["tasks"]) for a in data["areas"])
        summary = (
            f"{data['title']}（{data['year']}年）：重点工作{len(data['key_tasks'])}项，特色亮点{len(data['highlights'])}项，"
            f"{len(data['areas'])}个领域{tasks}项任务，保障措施{len(data['safeguards'])}项，"
            f"量化目标{len(data['targets'])}个，时间节点{len(data['milestones'])}个"
        )
        for warning in result.warnings:
            self.stderr.write(f"提示：{warning}")
        if options["dry_run"]:
            self.stdout.write(f"（试运行，未写入）{summary}")
        elif result.unchanged:
            self.stdout.write(f"方案已导入，文本无变化，未作任何修改：{summary}")
        else:
            self.stdout.write(("已导入" if result.created else "已更新") + f"：{summary}")
