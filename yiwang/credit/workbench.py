"""The credit app's links on the staff workbench (see ``yiwang.org.workbench``)."""

from yiwang.org.models import Role
from yiwang.org.workbench import Link, register

OVERVIEW = Link("信用监管概况", "credit:staff", order=40)
CLUES = Link("风险预警线索", "credit:clues", order=41)
ENTITIES = Link("市场主体信用报告", "credit:entities", order=42)

register(
    "credit",
    links={
        Role.ENTERPRISE: [Link("本企业信用与信易贷", "credit:my_credit", order=40)],
        Role.HANDLER: [
            CLUES,
            ENTITIES,
            Link("信用修复审核", "credit:repairs", order=43),
            Link("信易贷对接", "credit:staff_financing", order=44),
        ],
        Role.INSPECTOR: [CLUES, ENTITIES],
        Role.SUPERVISOR: [OVERVIEW, CLUES],
        Role.LEADER: [OVERVIEW, CLUES],
    },
)
