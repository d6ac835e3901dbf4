"""The random inspections' links on the staff workbench (see ``yiwang.org.workbench``)."""

from yiwang.org.models import Role
from yiwang.org.workbench import Link, register

PLANS = Link("双随机抽查计划", "inspections:plans", order=40)
TASKS = Link("双随机检查任务", "inspections:tasks", order=41)
ROSTER = Link("抽查事项与检查人员名录库", "inspections:roster", order=42)
MEASURES = Link("双随机抽查统计", "inspections:measures", order=43)

register(
    "inspections",
    links={
        Role.INSPECTOR: [TASKS, PLANS],
        Role.HANDLER: [PLANS, TASKS, ROSTER],
        Role.SUPERVISOR: [MEASURES],
        Role.LEADER: [MEASURES],
    },
)
