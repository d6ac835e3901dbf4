"""好差评's links on the staff workbench (see ``yiwang.org.workbench``)."""

from django.utils.translation import gettext_lazy as _

from yiwang.org.models import Role
from yiwang.org.workbench import Link, register

TARGETS = Link(_("好差评目标与统计"), "ratings:targets", order=40)

register(
    "ratings",
    links={
        Role.CITIZEN: [Link(_("我的评价"), "ratings:mine", order=40)],
        Role.ENTERPRISE: [Link(_("我的评价"), "ratings:mine", order=40)],
        Role.CLERK: [Link(_("窗口评价器"), "ratings:pad_home", order=40)],
        Role.HANDLER: [
            Link(_("差评整改"), "ratings:queue", order=40),
            Link(_("本部门评价"), "ratings:staff_ratings", order=41),
        ],
        Role.SUPERVISOR: [
            Link(_("整改审核"), "ratings:review_queue", order=30),
            Link(_("效能大体检"), "ratings:checks", order=35),
            TARGETS,
        ],
        Role.LEADER: [TARGETS],
    },
)
