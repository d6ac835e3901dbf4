"""Every message 好差评 sends, registered once with the notifier (``yiwang.core.notify``).

To the responsible department (inbox): ``ratings.rectification_opened`` (``number``, ``summary``,
``due_on``), the sweep's ``ratings.rectification_reminder``, ``ratings.rectification_overdue``, and
``ratings.rectification_sent_back`` (``note``). To the supervisors of the region:
``ratings.rectification_review`` and ``ratings.rectification_overdue_supervisor``. To the rater:
``ratings.rectification_replied`` (SMS and inbox).
"""

from yiwang.core.notify import MessageTemplate, register_templates

TEMPLATES = {
    "ratings.rectification_opened": MessageTemplate(
        title="差评整改待办",
        body="整改{number}（{summary}）已派至本部门，请先回访核实，{due_on}前整改完毕。",
    ),
    "ratings.rectification_reminder": MessageTemplate(
        title="差评整改即将到期", body="整改{number}（{summary}）将于{due_on}到期，请抓紧办理。"
    ),
    "ratings.rectification_overdue": MessageTemplate(
        title="差评整改已超期", body="整改{number}（{summary}）已于{due_on}到期未办结，已报督查室。"
    ),
    "ratings.rectification_overdue_supervisor": MessageTemplate(
        title="差评整改超期", body="{department}的整改{number}（{summary}）已于{due_on}到期未办结。"
    ),
    "ratings.rectification_review": MessageTemplate(
        title="整改待审核", body="{department}的整改{number}（{summary}）{what}，请审核。"
    ),
    "ratings.rectification_sent_back": MessageTemplate(
        title="整改被退回", body="整改{number}（{summary}）被督查室退回：{note}。请重新整改。"
    ),
    "ratings.rectification_replied": MessageTemplate(
        title="您的评价已处理",
        body="您对{subject}的评价已处理：{reply}",
        sms="【{sign}】您对{subject}的评价已处理，整改情况已答复，请登录“一网”查看。",
    ),
}

register_templates(TEMPLATES)
