"""Who may do what in supervision (rows of the one action table, ``yiwang.org.scoping``).

The supervision office (督查室, plan 五（二）) holds the supervisor role for the county: it imports the
plan, sets milestones, issues 督办单, closes tasks and keeps the ledgers. Lead departments report
progress and enter indicator values for their own work; leaders read.
"""

from yiwang.org.models import Role
from yiwang.org.scoping import Anchor, register_action

_HANDLER, _SUPERVISOR, _LEADER = Role.HANDLER.value, Role.SUPERVISOR.value, Role.LEADER.value

register_action(
    "supervision.read",
    roles={_HANDLER: Anchor.DEPARTMENT, _SUPERVISOR: Anchor.REGION, _LEADER: Anchor.REGION},
    label="查看方案任务、台账与指标",
)
register_action("supervision.report", roles={_HANDLER}, anchor=Anchor.DEPARTMENT, label="报送任务进展、填报指标")
register_action(
    "supervision.manage", roles={_SUPERVISOR}, anchor=Anchor.REGION, label="导入方案、设定节点、督办与销号、管理台账"
)
register_action(
    "supervision.dashboard", roles={_SUPERVISOR, _LEADER}, anchor=Anchor.REGION, label="营商环境领导驾驶舱与考核"
)
register_action("supervision.urge", roles={_SUPERVISOR}, anchor=Anchor.REGION, label="对在办超期办件、诉求督办")
register_action("supervision.answer", roles={_HANDLER}, anchor=Anchor.DEPARTMENT, label="答复督办单")
