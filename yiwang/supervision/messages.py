"""Every message supervision sends, registered once with the notifier (``yiwang.core.notify``).

To the lead department's handlers: ``supervision.reminder`` (before a milestone is due),
``supervision.overdue`` (the 督办单), ``supervision.milestone_set``; to the leader in charge:
``supervision.escalated``; to the supervision office: ``supervision.reported``, ``supervision.done``.
Context: ``ref`` (the plan's citation, 四（一）1), ``title``, ``milestone``, ``due_on``, ``number``.
"""

from yiwang.core.notify import MessageTemplate, register_templates

TEMPLATES = {
    "supervision.milestone_set": MessageTemplate(
        title="督查室设定了任务节点", body="任务{ref}“{title}”：{milestone}，请于{due_on}前完成并报送进展。"
    ),
    "supervision.reminder": MessageTemplate(
        title="任务节点即将到期", body="任务{ref}“{title}”的节点“{milestone}”将于{due_on}到期，请抓紧推进并报送进展。"
    ),
    "supervision.overdue": MessageTemplate(
        title="督办单{number}", body="任务{ref}“{title}”的节点“{milestone}”已于{due_on}逾期，请立即办理并书面报送。"
    ),
    "supervision.escalated": MessageTemplate(
        title="升级督办{number}",
        body="您包抓的任务{ref}“{title}”节点“{milestone}”逾期（{due_on}）仍未完成，请协调督促。",
    ),
    "supervision.reported": MessageTemplate(
        title="任务进展已报送", body="{department}报送了任务{ref}“{title}”的进展：{percent}%。"
    ),
    "supervision.done": MessageTemplate(
        title="任务报完成，待销号", body="{department}报告任务{ref}“{title}”已完成，请审核销号。"
    ),
    "supervision.ledger_overdue": MessageTemplate(
        title="台账事项逾期", body="台账事项{number}“{title}”已于{due_on}逾期未销号，请立即办理。"
    ),
    "supervision.urge": MessageTemplate(
        title="督办单{number}", body="{subject}：{text}请于{due_on}前（{days}个工作日内）书面答复督查室。"
    ),
    "supervision.urge_answered": MessageTemplate(
        title="督办单{number}已答复", body="{department}已答复督办单{number}（{on_time}）。"
    ),
    "supervision.urge_overdue": MessageTemplate(
        title="督办单{number}逾期未答复", body="督办单{number}应于{due_on}前答复，至今未答复。"
    ),
}

register_templates(TEMPLATES)
