"""好差评's rows of the action table (yiwang.org.scoping)."""

from yiwang.org.models import Role
from yiwang.org.scoping import Anchor, register_action

_C, _E = Role.CITIZEN.value, Role.ENTERPRISE.value
A = Anchor

register_action("rating.submit", roles={_C, _E}, anchor=A.PLATFORM, label="评价办件和诉求（好差评）")
register_action("rating.pad", roles={Role.CLERK.value}, anchor=A.HALL, label="窗口评价器（一次一评）")
register_action(
    "rating.read",
    roles={Role.HANDLER.value: A.DEPARTMENT, Role.SUPERVISOR.value: A.REGION, Role.LEADER.value: A.REGION},
    label="查看评价",
)
register_action("rectification.handle", roles={Role.HANDLER.value}, anchor=A.DEPARTMENT, label="差评整改")
register_action(
    "rectification.read",
    roles={Role.HANDLER.value: A.DEPARTMENT, Role.SUPERVISOR.value: A.REGION, Role.LEADER.value: A.REGION},
    label="查看整改",
)
register_action("rectification.review", roles={Role.SUPERVISOR.value}, anchor=A.REGION, label="审核整改与申诉")
register_action("servicecheck.manage", roles={Role.SUPERVISOR.value}, anchor=A.REGION, label="效能大体检")
register_action(
    "ratings.measures", roles={Role.SUPERVISOR.value, Role.LEADER.value}, anchor=A.REGION, label="好差评统计与目标"
)
del A
