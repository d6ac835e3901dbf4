"""The links of ``projects`` on the staff workbench (see ``yiwang.org.workbench``)."""

from django.utils.translation import gettext_lazy as _

from yiwang.org.models import Role
from yiwang.org.workbench import Link, register

MEASURES = Link(_("工程审批与报装效能"), "projects:measures", order=40)
APPLY = Link(_("用电用水用气报装"), "projects:connection_apply", order=59)
STATUS = Link(_("报装进度查询"), "projects:connection_status", order=60)
AT_RISK = Link(_("临期超期项目"), "projects:at_risk", order=41)

register(
    "projects",
    links={
        Role.CITIZEN: [APPLY, STATUS],
        Role.ENTERPRISE: [APPLY, STATUS],
        Role.HANDLER: [
            Link(_("工程建设项目"), "projects:list", order=40),
            Link(_("企业服务日问题"), "projects:issues", order=41),
            Link(_("报装办理"), "projects:connections", order=42),
        ],
        Role.SUPERVISOR: [MEASURES, AT_RISK],
        Role.LEADER: [MEASURES, AT_RISK],
    },
)
