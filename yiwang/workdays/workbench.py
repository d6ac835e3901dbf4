"""The working-day calendar's links on the staff workbench (see ``yiwang.org.workbench``)."""

from django.utils.translation import gettext_lazy as _

from yiwang.org.models import Role
from yiwang.org.workbench import Link, register

CALENDAR = Link(_("工作日历"), "workdays:calendar", order=90)

register(
    "workdays",
    links={
        Role.CLERK: [CALENDAR],
        Role.HANDLER: [CALENDAR],
        Role.DISPATCHER: [CALENDAR],
        Role.INSPECTOR: [CALENDAR],
        Role.SUPERVISOR: [CALENDAR],
        Role.ADMIN: [
            Link(_("工作日历"), "workdays:calendar", order=10),
            Link(_("日历导入"), "workdays:import", order=20),
        ],
    },
)
