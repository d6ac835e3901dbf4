"""Supervision's links on the staff workbench (see ``yiwang.org.workbench``)."""

from django.utils.translation import gettext_lazy as _

from yiwang.org.models import Role
from yiwang.org.workbench import Link, register

DASHBOARD = Link(_("营商环境驾驶舱"), "supervision:dashboard", order=15)
TASKS = Link(_("方案任务督办"), "supervision:tasks", order=16)
INDICATORS = Link(_("营商环境指标"), "supervision:indicators", order=17)
URGES = Link(_("办件、诉求督办"), "supervision:urges", order=19)
OVERDUE_CASES = Link(_("在办超期件"), "cases:leader_overdue", order=19)
OVERDUE_APPEALS = Link(_("在办超期诉求"), "hotline:overdue", order=19)

register(
    "supervision",
    links={
        Role.HANDLER: [
            Link(_("督办任务"), "supervision:tasks", order=40),
            Link(_("指标填报"), "supervision:indicators", order=41),
            Link(_("督办答复"), "supervision:urges", order=42),
        ],
        Role.SUPERVISOR: [
            DASHBOARD,
            TASKS,
            Link(_("台账"), "supervision:ledgers", order=18),
            INDICATORS,
            Link(_("考核"), "supervision:assessment", order=19),
            URGES,
            OVERDUE_CASES,
            OVERDUE_APPEALS,
        ],
        Role.LEADER: [
            DASHBOARD,
            TASKS,
            INDICATORS,
            Link(_("考核"), "supervision:assessment", order=19),
            URGES,
            OVERDUE_CASES,
            OVERDUE_APPEALS,
        ],
    },
)
