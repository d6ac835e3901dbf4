"""The appeals app's links on the staff workbench (see ``yiwang.org.workbench``)."""

from django.utils.translation import gettext_lazy as _

from yiwang.org.models import Role
from yiwang.org.workbench import Link, register

SUBMIT = Link(_("反映诉求"), "hotline:submit", order=40)
INTAKE = _("诉求登记")
DASHBOARD = _("接诉即办看板")
HOTSPOTS = _("热点分布")

register(
    "hotline",
    links={
        Role.CITIZEN: [SUBMIT, Link(_("诉求查询"), "hotline:track", order=50)],
        Role.ENTERPRISE: [SUBMIT],
        Role.CLERK: [
            Link(_("办不成事登记"), "hotline:unresolved", order=40),
            Link(INTAKE, "hotline:intake", order=50),
        ],
        Role.HANDLER: [
            Link(_("待办诉求"), "hotline:handler_queue", order=30),
            Link(_("办不成事"), "hotline:unresolved", order=40),
        ],
        Role.DISPATCHER: [
            Link(INTAKE, "hotline:intake", order=10),
            Link(_("待派诉求"), "hotline:dispatch_queue", order=20),
            Link(_("三率看板"), "hotline:dashboard", order=30),
            Link(HOTSPOTS, "hotline:hotspots", order=40),
            Link(_("知识库"), "hotline:knowledge", order=50),
        ],
        Role.SUPERVISOR: [
            Link(DASHBOARD, "hotline:dashboard", order=20),
            Link(_("办不成事月报"), "hotline:unresolved_summary", order=40),
        ],
        Role.LEADER: [
            Link(DASHBOARD, "hotline:dashboard", order=20),
            Link(HOTSPOTS, "hotline:hotspots", order=30),
        ],
    },
)
