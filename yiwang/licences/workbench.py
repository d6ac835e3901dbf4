"""The e-licence app's links on the workbench (see ``yiwang.org.workbench``)."""

from django.utils.translation import gettext_lazy as _

from yiwang.org.models import Role
from yiwang.org.workbench import Link, register

MINE = Link(_("我的证照"), "licences:mine", order=40)
VERIFY = Link(_("证照核验"), "licences:verify_form", order=90)
REGISTER = Link(_("电子证照库"), "licences:staff_list", order=60)
FIGURES = Link(_("证照签发与调用"), "licences:figures", order=60)

register(
    "licences",
    links={
        Role.CITIZEN: [MINE, VERIFY],
        Role.ENTERPRISE: [MINE, VERIFY],
        Role.CLERK: [VERIFY],
        Role.HANDLER: [REGISTER, VERIFY],
        Role.SUPERVISOR: [FIGURES, REGISTER],
        Role.LEADER: [FIGURES, REGISTER],
    },
)
