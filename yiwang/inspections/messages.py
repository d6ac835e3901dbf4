"""Every message the inspections send, registered once with the notifier (``yiwang.core.notify``).

To a department (inbox): ``inspection.drawn`` (``number``, ``title``, ``count``): a draw assigned it
tasks. To an inspector (inbox): ``inspection.assigned`` (``number``, ``entity``). For the deadline
sweep (to the lead department; context ``number``, ``entity``, ``due``): ``inspection.publish_reminder``,
``inspection.publish_overdue``.
"""

from yiwang.core.notify import MessageTemplate, register_templates

TEMPLATES = {
    "inspection.drawn": MessageTemplate(
        title="双随机抽取完成 {number}", body="抽查计划 {number}“{title}”已抽取，共 {count} 户检查对象，请组织检查。"
    ),
    "inspection.assigned": MessageTemplate(
        title="新的抽查任务 {number}", body="您被随机抽中检查 {entity}（计划 {number}），请按计划实施检查并录入结果。"
    ),
    "inspection.publish_reminder": MessageTemplate(
        title="抽查结果待公示 {number}", body="{entity} 的抽查结果（计划 {number}）应于 {due} 前公示，请及时公示。"
    ),
    "inspection.publish_overdue": MessageTemplate(
        title="抽查结果公示超期 {number}",
        body="{entity} 的抽查结果（计划 {number}）已超过公示时限（{due}），请立即公示。",
    ),
}

register_templates(TEMPLATES)
