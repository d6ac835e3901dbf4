"""Every message the hotline sends, registered once with the notifier (``yiwang.core.notify``).

``{hotline_sign}`` is the 12345 SMS signature from settings (【眉县12345】 by default), so no text
spells the county's name. ``code`` is the appeal's (or the 办不成事 matter's) code, ``title`` its
title.

To the citizen (SMS): ``hotline.received``, ``hotline.answered`` (``content``),
``hotline.declined`` (``advice``), ``hotline.replied`` (``department``, ``content``) and
``hotline.merged_reply`` (``into``, ``content``).

To a department (inbox): ``hotline.dispatched``, ``hotline.co_dispatched`` (``lead``),
``hotline.return_rejected`` (``note``), ``hotline.extension_decided`` (``text``),
``hotline.reopened`` (``comment``), ``hotline.unresolved_registered`` (``summary``).

To the county's 12345 dispatchers (inbox): ``hotline.return_requested`` (``department``,
``reason``), ``hotline.extension_requested`` (``department``, ``days``).

For the deadline sweep (services/sweep.py; to the lead department, the overdue ones also to the
dispatchers), context ``code``, ``title`` and ``due`` (the limit as displayed: a day, or a day and
hour for the urgent tier, so one text serves both): ``hotline.sign_off_reminder``,
``hotline.sign_off_overdue`` (签收), ``hotline.reply_reminder``, ``hotline.reply_overdue`` (答复);
for a 办不成事 matter (context ``code``, ``summary``, ``due``): ``hotline.unresolved_reminder``,
``hotline.unresolved_overdue``.
"""

from yiwang.core.notify import MessageTemplate, register_templates


def _citizen(title: str, text: str) -> MessageTemplate:
    """A citizen's message: the same sentence in the inbox and, signed, by SMS."""
    return MessageTemplate(title=title, body=text, sms="【{hotline_sign}】" + text)


TEMPLATES = {
    # --- to the citizen ---
    "hotline.received": _citizen(
        "诉求已受理",
        "您的诉求已受理，受理编号 {code}，可凭编号在“有问必应、接诉即办”专栏查询办理进度。",
    ),
    "hotline.answered": _citizen("咨询已答复", "您的咨询（{code}）已答复：{content}"),
    "hotline.declined": _citizen("诉求不予受理", "{advice}（编号 {code}）"),
    "hotline.replied": _citizen("诉求已答复", "您反映的诉求（{code}）已由{department}答复：{content}"),
    "hotline.merged_reply": _citizen("诉求已合并办理", "您反映的诉求（{code}）与 {into} 合并办理，答复：{content}"),
    # --- to a department ---
    "hotline.dispatched": MessageTemplate(title="新派诉求 {code}", body="新派诉求 {code}：{title}。请及时签收办理。"),
    "hotline.co_dispatched": MessageTemplate(
        title="协办诉求 {code}", body="诉求 {code} 请贵单位协办（主办：{lead}）。"
    ),
    "hotline.return_rejected": MessageTemplate(
        title="退单未获同意 {code}", body="诉求 {code} 退单未获同意：{note}。请签收办理。"
    ),
    "hotline.extension_decided": MessageTemplate(title="延期申请已审核 {code}", body="诉求 {code} 延期申请：{text}"),
    "hotline.reopened": MessageTemplate(title="诉求需重办 {code}", body="诉求 {code} 回访不满意，需重办：{comment}"),
    "hotline.unresolved_registered": MessageTemplate(
        title="办不成事 {code}", body="办不成事 {code}：{summary}，请按时限办理反馈。"
    ),
    # --- to the 12345 dispatchers ---
    "hotline.return_requested": MessageTemplate(
        title="退单待审核 {code}", body="{department}申请退单 {code}：{reason}"
    ),
    "hotline.extension_requested": MessageTemplate(
        title="延期待审核 {code}", body="{department}申请延期 {code}（{days} 个工作日）"
    ),
    # --- the deadline sweep (催办 and 超期通报) ---
    "hotline.sign_off_reminder": MessageTemplate(
        title="催办：诉求 {code} 待签收", body="诉求 {code} 尚未签收，签收时限 {due}，请及时签收。"
    ),
    "hotline.sign_off_overdue": MessageTemplate(
        title="超期通报：诉求 {code} 未签收", body="诉求 {code} 派单后未在时限（{due}）内签收，已超时。"
    ),
    "hotline.reply_reminder": MessageTemplate(
        title="催办：诉求 {code} 即将到期", body="诉求 {code}“{title}”将于 {due} 到期，请抓紧办理。"
    ),
    "hotline.reply_overdue": MessageTemplate(
        title="超期通报：诉求 {code} 已超期",
        body="诉求 {code}“{title}”已超过答复时限（{due}），请立即办理并答复。",
    ),
    "hotline.unresolved_reminder": MessageTemplate(
        title="催办：办不成事 {code} 即将到期", body="办不成事 {code}：{summary}，将于 {due} 到期，请抓紧办理反馈。"
    ),
    "hotline.unresolved_overdue": MessageTemplate(
        title="超期通报：办不成事 {code} 已超期", body="办不成事 {code}：{summary}，已超过办理时限（{due}）。"
    ),
}

register_templates(TEMPLATES)
