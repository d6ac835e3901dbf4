"""``manage.py credit import-entities FILE.xlsx`` · ``credit recompute`` · ``credit false-pledges``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from yiwang.core.errors import ApplicationError


class Command(BaseCommand):
    help = "信用：导入市场主体名录、重算风险分类、补录虚假承诺信用记录"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import-entities", help="从Excel导入市场主体（全部成功才写入）")
        imp.add_argument("file")
        imp.add_argument("--county", default="610326", help="登记区县代码（默认眉县 610326）")
        sub.add_parser("recompute", help="按现行规则重算全部市场主体的信用风险分类")
        sub.add_parser("false-pledges", help="为尚无信用记录的虚假承诺补录信用记录")

    def handle(self, *args, action, **options):
        if action == "import-entities":
            return self._import(options["file"], options["county"])
        if action == "recompute":
            from yiwang.credit.models import Entity
            from yiwang.credit.services import entity_risk_recompute

            changed = 0
            for entity in Entity.objects.iterator(chunk_size=1000):
                before = entity.risk_class
                if entity_risk_recompute(entity=entity, reason="按现行规则重算").risk_class != before:
                    changed += 1
            self.stdout.write(f"已重算，分类变化 {changed} 户")
            return None
        from yiwang.credit.services import false_pledges_import

        self.stdout.write(f"补录虚假承诺信用记录 {false_pledges_import()} 条")
        return None

    def _import(self, file: str, county_code: str):
        from yiwang.credit.importing import entities_import
        from yiwang.org.models import Region

        path = Path(file)
        if not path.exists():
            raise CommandError(f"文件不存在：{file}")
        county = Region.objects.filter(code=county_code).first()
        if county is None:
            raise CommandError(f"未知的区县代码：{county_code}")
        try:
            created = entities_import(content=path.read_bytes(), county=county, actor=None)
        except ApplicationError as error:
            for item in error.details.get("errors", []):
                where = f"第{item['row']}行" if item.get("row") else ""
                column = f"“{item['column']}”列" if item.get("column") else ""
                self.stderr.write(f"{item['sheet']} {where}{column}：{item['message']}")
            raise CommandError(error.message.split("：", 1)[0]) from None
        self.stdout.write(self.style.SUCCESS(f"已导入市场主体 {len(created)} 户"))
        return None
