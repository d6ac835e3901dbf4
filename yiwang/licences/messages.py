"""Every message the e-licence app sends (``yiwang.core.notify``), registered once.

To the holder's account (inbox): ``licences.issued`` (``name``, ``number``), ``licences.expiring``
(``name``, ``number``, ``valid_until``), ``licences.revoked`` (``name``, ``number``, ``reason``).
"""

from yiwang.core.notify import MessageTemplate, register_templates

TEMPLATES = {
    "licences.issued": MessageTemplate(
        title="电子证照已生成",
        body="您的{name}（编号{number}）已同步生成电子证照，可在“我的证照”下载，办理其他事项时可直接调用，免于提交。",
    ),
    "licences.expiring": MessageTemplate(
        title="电子证照即将到期",
        body="您的{name}（编号{number}）将于{valid_until}到期，请及时办理延续。",
    ),
    "licences.revoked": MessageTemplate(
        title="电子证照已注销", body="您的{name}（编号{number}）已由发证机关注销，原因：{reason}。"
    ),
}

register_templates(TEMPLATES)
