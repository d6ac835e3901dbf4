"""``manage.py cases sweep [--date YYYY-MM-DD]``: the one deadline sweep (same as ``manage.py workdays sweep``).

``manage.py cases chain ITEM_CODE [--same-person yes|no --actor USERNAME]``: show an item's review chain, or
let one person act on several of its steps (default: 审查、审核、审批 by different people)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from yiwang.workdays.sweep import clocks_sweep


class Command(BaseCommand):
    help = "办件：期限巡检（临期、到期、超期标记并通知），即 workdays sweep"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sweep = sub.add_parser("sweep", help="巡检全部在办期限（与 workdays sweep 相同）")
        sweep.add_argument("--date", help="按哪一天判断（默认今天），格式 YYYY-MM-DD")
        chain = sub.add_parser("chain", help="查看事项审批环节，或设置是否允许同一人办理多个环节")
        chain.add_argument("item", help="事项编码")
        chain.add_argument(
            "--same-person", choices=["yes", "no"], help="是否允许同一人办理审查、审核、审批中的多个环节"
        )
        chain.add_argument("--actor", help="操作人用户名（管理员或实施部门经办人），设置时必填")

    def handle(self, *args, **options):
        if options["action"] == "sweep":
            today = None
            if options.get("date"):
                try:
                    today = dt.date.fromisoformat(options["date"])
                except ValueError:
                    raise CommandError(f"日期格式不正确：{options['date']}（应为 YYYY-MM-DD）") from None
            self.stdout.write(clocks_sweep(today=today).summary())
        elif options["action"] == "chain":
            self._chain(options)

    def _chain(self, options):
        from yiwang.cases import services
        from yiwang.cases.models import ReviewChain
        from yiwang.catalog.models import ServiceItem
        from yiwang.core.errors import ApplicationError
        from yiwang.org.selectors import user_by_username

        item = ServiceItem.objects.filter(code=options["item"]).first()
        if item is None:
            raise CommandError(f"没有编码为 {options['item']} 的事项")
        if options.get("same_person"):
            actor = user_by_username(options.get("actor") or "")
            if actor is None:
                raise CommandError("请用 --actor 指定操作人（管理员或实施部门经办人）的用户名")
            try:
                services.review_chain_set(
                    item=item,
                    steps=services._chain_for(item),
                    actor=actor,
                    same_person_allowed=options["same_person"] == "yes",
                )
            except ApplicationError as error:
                raise CommandError(error.message) from None
        chain = ReviewChain.objects.filter(item=item).first()
        steps = chain.steps if chain else services._chain_for(item)
        same = chain.same_person_allowed if chain else False
        self.stdout.write(
            f"{item.code} {item.name}："
            + " → ".join(step["name"] for step in steps)
            + ("；允许同一人办理多个环节" if same else "；审查、审核、审批须由不同人员办理（默认）")
        )
