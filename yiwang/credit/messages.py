"""The credit app's notification texts."""

from yiwang.core.notify import MessageTemplate, register_templates

TEMPLATES = {
    "credit.clue_pushed": MessageTemplate(
        title="风险预警线索：{entity}",
        body="{county}“互联网+监管”风险预警：{rule}。{summary}请于{due_on}前处置并反馈。",
    ),
    "credit.clue_overdue": MessageTemplate(
        title="风险预警线索逾期未反馈：{entity}",
        body="风险预警线索“{rule}”（{entity}）已超过反馈期限{due_on}，请尽快处置反馈。",
    ),
    "credit.repair_requested": MessageTemplate(
        title="信用修复申请：{entity}",
        body="{entity}申请修复信用记录“{title}”，请于{due_on}前审核。",
    ),
    "credit.repair_due_soon": MessageTemplate(
        title="信用修复申请即将到期：{entity}",
        body="{entity}对信用记录“{title}”的修复申请须于{due_on}前审核，请及时办理。",
    ),
    "credit.repair_overdue": MessageTemplate(
        title="信用修复申请逾期未审核：{entity}",
        body="{entity}对信用记录“{title}”的修复申请已超过审核期限{due_on}，请尽快审核。",
    ),
    "credit.clue_due_soon": MessageTemplate(
        title="风险预警线索即将到期：{entity}",
        body="风险预警线索“{rule}”（{entity}）须于{due_on}前处置并反馈。",
    ),
    "credit.repair_decided": MessageTemplate(
        title="信用修复审核结果",
        body="您对信用记录“{title}”的修复申请{result}。{opinion}",
    ),
}

register_templates(TEMPLATES)
