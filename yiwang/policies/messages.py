"""Every message the policies app sends, registered once with the notifier (``yiwang.core.notify``).

To an enterprise (inbox to its users, SMS to its registered contact):
``policies.matched`` (context ``title``, ``benefit``), ``policies.granted`` (``title``, ``amount``),
``policies.applied`` (``title``).
"""

from yiwang.core.notify import MessageTemplate, register_templates


def _enterprise(title: str, text: str) -> MessageTemplate:
    return MessageTemplate(title=title, body=text, sms="【{sign}】" + text)


TEMPLATES = {
    "policies.matched": _enterprise(
        "您可享受惠企政策：{title}",
        "{name}：经比对登记信息，贵单位符合“{title}”的享受条件（{benefit}），{how}。",
    ),
    "policies.granted": _enterprise(
        "惠企政策已兑现：{title}",
        "{name}：“{title}”已为贵单位兑现 {amount} 元，{how}。",
    ),
    "policies.applied": _enterprise(
        "政策申请已提交：{title}", "{name}：您对“{title}”的申请已提交，承办部门将尽快审核。"
    ),
}

register_templates(TEMPLATES)
