"""The catalog's links on the staff workbench (see ``yiwang.org.workbench``)."""

from django.utils.translation import gettext_lazy as _

from yiwang.org.models import Role
from yiwang.org.workbench import Link, register

STAFF_LIST = _("事项管理")
REVIEW_QUEUE = _("变更审核")
TARGETS = _("事项目录指标")

register(
    "catalog",
    links={
        Role.CITIZEN: [Link(_("办事指南"), "catalog:search", order=10)],
        Role.ENTERPRISE: [Link(_("一件事一次办（企业开办）"), "catalog:bundle_list", order=10)],
        Role.HANDLER: [
            Link(STAFF_LIST, "catalog:staff_list", order=50),
            Link(REVIEW_QUEUE, "catalog:review_queue", order=60),
        ],
        Role.SUPERVISOR: [Link(TARGETS, "catalog:targets", order=30)],
        Role.LEADER: [Link(TARGETS, "catalog:targets", order=40)],
        Role.ADMIN: [
            Link(STAFF_LIST, "catalog:staff_list", order=30),
            Link(_("事项导入"), "catalog:staff_import", order=40),
            Link(REVIEW_QUEUE, "catalog:review_queue", order=50),
        ],
    },
)
