"""``manage.py policies match [--policy ID]`` re-matches published policies (after bulk entity changes,
which send no signal); ``manage.py policies rematch-entities USCC …`` re-matches given entities;
``manage.py policies issue-integrated`` issues the 一业一证 licences due."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "惠企政策：重新匹配政策、按主体重新匹配、发放到期的一业一证综合许可证"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        match = sub.add_parser("match", help="重新匹配已发布的政策")
        match.add_argument("--policy", type=int, help="只匹配这一条政策（编号）")
        entities = sub.add_parser("rematch-entities", help="按统一社会信用代码重新匹配市场主体")
        entities.add_argument("usccs", nargs="+")
        sub.add_parser("issue-integrated", help="为已办结的一业一证一件事发放行业综合许可证")

    def handle(self, *args, **options):
        from yiwang.credit.models import Entity
        from yiwang.policies import services
        from yiwang.policies.integrated import integrated_licences_issue_due
        from yiwang.policies.models import Policy, PolicyState

        if options["action"] == "match":
            policies = Policy.objects.filter(state=PolicyState.PUBLISHED)
            if options.get("policy"):
                policies = policies.filter(pk=options["policy"])
                if not policies.exists():
                    raise CommandError(f"没有编号为 {options['policy']} 的已发布政策")
            for policy in policies.order_by("pk"):
                report = services.policy_match(policy=policy)
                self.stdout.write(
                    f"{policy.title}：符合 {report.matched} 户，新增 {report.created}，"
                    f"恢复 {report.reactivated}，不再符合 {report.dropped}，推送 {report.notified}"
                )
        elif options["action"] == "rematch-entities":
            for uscc in options["usccs"]:
                entity = Entity.objects.filter(uscc=uscc.strip().upper()).first()
                if entity is None:
                    self.stderr.write(f"没有统一社会信用代码为 {uscc} 的市场主体")
                    continue
                created = services.policies_rematch_entity(entity)
                self.stdout.write(f"{entity.name}：新增匹配 {len(created)} 条")
        else:
            self.stdout.write(f"已发放行业综合许可证 {integrated_licences_issue_due()} 张")
