"""The inspections' rows of the action table (``yiwang.org.scoping``)."""

from yiwang.org.models import Role
from yiwang.org.scoping import Anchor, register_action

_HANDLER, _INSPECTOR = Role.HANDLER.value, Role.INSPECTOR.value
_LEADER, _SUPERVISOR = Role.LEADER.value, Role.SUPERVISOR.value

PLAN = "inspection.plan"
RESULT = "inspection.result"
READ = "inspection.read"
MEASURES = "inspection.measures"


def register() -> None:
    register_action(
        PLAN, roles={_HANDLER}, anchor=Anchor.DEPARTMENT, label="维护抽查事项、检查人员名录库，制定计划、抽取与公示结果"
    )
    register_action(RESULT, roles={_INSPECTOR, _HANDLER}, anchor=Anchor.DEPARTMENT, label="录入抽查检查结果")
    register_action(
        READ,
        roles={
            _HANDLER: Anchor.DEPARTMENT,
            _INSPECTOR: Anchor.DEPARTMENT,
            _LEADER: Anchor.REGION,
            _SUPERVISOR: Anchor.REGION,
        },
        label="查看双随机抽查计划与任务",
    )
    register_action(MEASURES, roles={_LEADER, _SUPERVISOR}, anchor=Anchor.REGION, label="双随机抽查统计")
