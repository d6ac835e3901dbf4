"""The applications app's links on the staff workbench (see ``yiwang.org.workbench``)."""

from django.utils.translation import gettext_lazy as _

from yiwang.org.models import Role
from yiwang.org.workbench import Link, register

GUIDE = Link(_("在线导办"), "cases:guide", order=20)
MY_CASES = Link(_("我的办件"), "cases:my_cases", order=30)
MEASURES = Link(_("办件效能"), "cases:leader", order=10)
FOUNDING = Link(_("开办企业（一表填报）"), "cases:founding_new", order=25)
DISSOLUTION = Link(_("企业注销"), "cases:dissolution_start", order=40)

register(
    "cases",
    links={
        Role.CITIZEN: [GUIDE, FOUNDING, MY_CASES],
        Role.ENTERPRISE: [GUIDE, MY_CASES, DISSOLUTION],
        Role.CLERK: [
            Link(_("收件受理"), "cases:counter", order=10),
            Link(_("待出件"), "cases:delivery_desk", order=20),
            Link(_("远程帮办"), "cases:help_queue", order=30),
        ],
        Role.HANDLER: [
            Link(_("待办办件"), "cases:handler_queue", order=10),
            Link(_("事中事后核查"), "cases:verifications", order=20),
        ],
        Role.SUPERVISOR: [MEASURES],
        Role.LEADER: [MEASURES, Link(_("待批延期"), "cases:extensions", order=15)],
    },
)
