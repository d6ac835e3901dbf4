"""The policies app's links on the staff workbench (see ``yiwang.org.workbench``)."""

from django.utils.translation import gettext_lazy as _

from yiwang.org.models import Role
from yiwang.org.workbench import Link, register

LIBRARY = Link(_("惠企政策库"), "policies:library", order=60)
MEASURES = Link(_("惠企政策统计"), "policies:measures", order=60)

register(
    "policies",
    links={
        Role.ENTERPRISE: [Link(_("我的惠企政策"), "policies:mine", order=15), LIBRARY],
        Role.CITIZEN: [LIBRARY],
        Role.HANDLER: [
            Link(_("惠企政策管理"), "policies:staff", order=60),
            Link(_("一业一证"), "policies:integrated_staff", order=61),
        ],
        Role.SUPERVISOR: [MEASURES],
        Role.LEADER: [MEASURES],
    },
)
