"""``manage.py inspections verify-draw ID``: recompute a stored draw and say 一致 or 不一致."""

import sys

from django.core.management.base import BaseCommand, CommandError

from yiwang.inspections.models import Draw
from yiwang.inspections.services import draw_verification_record


class Command(BaseCommand):
    help = "双随机抽取复核：依公布的种子、对象快照、人员快照和规则重算抽取结果并逐字节比对"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify-draw", help="重算一次抽取并比对")
        verify.add_argument("draw_id", type=int)

    def handle(self, *args, **options):
        try:
            draw = Draw.objects.select_related("plan").get(pk=options["draw_id"])
        except Draw.DoesNotExist:
            raise CommandError(f"抽取记录 {options['draw_id']} 不存在") from None
        result = draw_verification_record(draw=draw, actor=None)
        self.stdout.write(f"计划 {draw.plan.number} 第{draw.attempt}次抽取（抽取记录 {draw.pk}）")
        self.stdout.write(f"承诺值 {draw.plan.commitment}")
        self.stdout.write(f"种子   {draw.seed}")
        self.stdout.write(f"结果摘要 {draw.result_hash}")
        if result.consistent:
            self.stdout.write(self.style.SUCCESS("一致：重算结果与公布结果逐字节相同"))
            return
        for problem in result.problems:
            self.stdout.write(f"  - {problem}")
        self.stdout.write(self.style.ERROR("不一致"))
        sys.exit(1)
