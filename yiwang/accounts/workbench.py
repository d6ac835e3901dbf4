"""The links of ``accounts`` on the workbench (see ``yiwang.org.workbench``)."""

from django.utils.translation import gettext_lazy as _

from yiwang.org.models import Role
from yiwang.org.workbench import Link, register

MINE = [
    Link(_("我的账户"), "accounts:home", order=5),
    Link(_("我的办件"), "cases:my_cases", order=6),
    Link(_("我的诉求"), "accounts:my_appeals", order=7),
]

register(
    "accounts",
    links={
        Role.CITIZEN: MINE,
        Role.ENTERPRISE: MINE,
        Role.CLERK: [Link(_("企业经办人授权确认"), "accounts:authorisations", order=70)],
    },
)
