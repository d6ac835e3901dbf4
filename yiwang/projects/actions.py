"""Who may do what in ``projects`` (rows of ``yiwang.org.scoping``'s action table).

The lead department (县行政审批服务局, 工程建设项目审批专班) registers projects, names stewards and
organises 企业服务日; a responsible department answers its issues; the department that organised an
area assessment publishes it; the utility company's staff (handlers of a Department of kind
ENTERPRISE) handle connections. Leaders and supervisors read.
"""

from yiwang.org.models import Role
from yiwang.org.scoping import Anchor, register_action

_C, _E = Role.CITIZEN.value, Role.ENTERPRISE.value
_HANDLER, _LEADER, _SUPERVISOR = Role.HANDLER.value, Role.LEADER.value, Role.SUPERVISOR.value

register_action(
    "project.read",
    roles={_HANDLER: Anchor.DEPARTMENT, _LEADER: Anchor.REGION, _SUPERVISOR: Anchor.REGION},
    label="查看工程建设项目",
)
register_action(
    "project.manage", roles={_HANDLER}, anchor=Anchor.DEPARTMENT, label="登记项目、指定管家、组织企业服务日"
)
register_action("project.measures", roles={_LEADER, _SUPERVISOR}, anchor=Anchor.REGION, label="工程建设项目与报装统计")
register_action("issue.handle", roles={_HANDLER}, anchor=Anchor.DEPARTMENT, label="办理企业服务日问题")
register_action("assessment.publish", roles={_HANDLER}, anchor=Anchor.DEPARTMENT, label="公布区域评估结果")
register_action("utility.apply", roles={_C, _E}, anchor=Anchor.PLATFORM, label="申请用电、用水、用气报装")
register_action("utility.handle", roles={_HANDLER}, anchor=Anchor.DEPARTMENT, label="办理报装（供应企业）")
register_action(
    "utility.read",
    roles={_HANDLER: Anchor.DEPARTMENT, _LEADER: Anchor.REGION, _SUPERVISOR: Anchor.REGION},
    label="查看报装",
)
