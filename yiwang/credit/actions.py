"""The credit app's rows of the action table (``yiwang.org.scoping``).

Credit information is shared across the county's departments (信用信息共享), so staff read an
entity's credit report county-wide; each department records, revokes and repairs only the records
it decided, and handles only the clues pushed to it.
"""

from yiwang.org.models import Role
from yiwang.org.scoping import Anchor, register_action

_E = Role.ENTERPRISE.value
_HANDLER, _INSPECTOR = Role.HANDLER.value, Role.INSPECTOR.value
_SUPERVISOR, _LEADER = Role.SUPERVISOR.value, Role.LEADER.value

register_action(
    "credit.read",
    roles={
        _HANDLER: Anchor.DEPARTMENT_COUNTY,
        _INSPECTOR: Anchor.DEPARTMENT_COUNTY,
        _SUPERVISOR: Anchor.REGION,
        _LEADER: Anchor.REGION,
    },
    label="查看市场主体信用报告",
)
register_action("credit.record", roles={_HANDLER, _INSPECTOR}, anchor=Anchor.DEPARTMENT, label="录入、撤销信用记录")
register_action("credit.repair", roles={_HANDLER}, anchor=Anchor.DEPARTMENT, label="审核信用修复")
register_action("credit.repair_request", roles={_E}, anchor=Anchor.PLATFORM, label="申请信用修复（本企业）")
register_action("credit.import", roles={_HANDLER}, anchor=Anchor.DEPARTMENT_COUNTY, label="导入市场主体名录")
register_action(
    "credit.clue",
    roles={_HANDLER: Anchor.DEPARTMENT, _INSPECTOR: Anchor.DEPARTMENT},
    label="处置、反馈风险预警线索",
)
register_action(
    "credit.clue_read",
    roles={
        _HANDLER: Anchor.DEPARTMENT,
        _INSPECTOR: Anchor.DEPARTMENT,
        _SUPERVISOR: Anchor.REGION,
        _LEADER: Anchor.REGION,
    },
    label="查看风险预警线索",
)
register_action(
    "credit.loan_product", roles={_HANDLER}, anchor=Anchor.DEPARTMENT_COUNTY, label="发布信贷产品、登记放款"
)
register_action("credit.financing_need", roles={_E}, anchor=Anchor.PLATFORM, label="发布融资需求（本企业）")
register_action("credit.measures", roles={_SUPERVISOR, _LEADER}, anchor=Anchor.REGION, label="信用监管统计")
