"""Supervision's links on the staff workbench (see ``yiwang.org.workbench``)."""

from django.utils.translation import gettext_lazy as _

from yiwang.org.models import Role
from yiwang.org.workbench import Link, register

DASHBOARD = Link(_("营商环境驾驶舱"), "supervision:dashboard", order=15)
TASKS = Link(_("方案任务督办"), "supervision:tasks", order=16)
INDICATORS = Link(_("营商环境指标"), "supervision:indicators", order=17)

register(
    "supervision",
    links={
        Role.HANDLER: [
            Link(_("督办任务"), "supervision:tasks", order=40),
            Link(_("指标填报"), "supervision:indicators", order=41),
        ],
        Role.SUPERVISOR: [
            DASHBOARD,
            TASKS,
            Link(_("台账"), "supervision:ledgers", order=18),
            INDICATORS,
            Link(_("考核"), "supervision:assessment", order=19),
        ],
        Role.LEADER: [DASHBOARD, TASKS, INDICATORS, Link(_("考核"), "supervision:assessment", order=19)],
    },
)
