"""The policies app's rows of the action table (``yiwang.org.scoping``).

A policy officer is a handler of the department that carries the policy (承办部门); leaders and
supervisors read the figures of their region; an enterprise reads its own matches and applies.
"""

from yiwang.org.models import Role
from yiwang.org.scoping import Anchor, register_action

_E, _HANDLER = Role.ENTERPRISE.value, Role.HANDLER.value
_LEADER, _SUPERVISOR = Role.LEADER.value, Role.SUPERVISOR.value

register_action("policy.manage", roles={_HANDLER}, anchor=Anchor.DEPARTMENT, label="录入、发布惠企政策与享受条件")
register_action("policy.grant", roles={_HANDLER}, anchor=Anchor.DEPARTMENT, label="确认免申即享名单、兑现政策")
register_action(
    "policy.read",
    roles={_HANDLER: Anchor.DEPARTMENT, _LEADER: Anchor.REGION, _SUPERVISOR: Anchor.REGION},
    label="查看政策推送与兑现情况",
)
register_action("policy.measures", roles={_LEADER, _SUPERVISOR}, anchor=Anchor.REGION, label="惠企政策统计")
register_action("policy.mine", roles={_E}, anchor=Anchor.PLATFORM, label="查看和申请我的惠企政策")
register_action(
    "integrated_licence.manage",
    roles={_HANDLER},
    anchor=Anchor.DEPARTMENT,
    label="发放、变更、注销一业一证行业综合许可证",
)
