"""Every message cases sends, registered once with the notifier (``yiwang.core.notify``).

``{sign}`` is the SMS signature from settings (【眉县政务服务】 by default), so no text spells the
county's name. Each template names the context it needs; ``number`` and ``title`` are the case's.

To the applicant (SMS to the phone, an inbox message to the account): ``cases.submitted``,
``cases.accepted``, ``cases.correction_requested``, ``cases.rejected``, ``cases.paused``,
``cases.extended``, ``cases.decided``, ``cases.bundle_decided``, ``cases.delivered``,
``cases.pledge_false``, ``cases.deferred_overdue``, ``cases.help_taken``.

To staff (inbox): ``cases.fanned_out``, ``cases.assigned``, ``cases.extension_requested``,
``cases.verification_opened``, ``cases.help_requested`` and the sweep's ``cases.deadline_warning``,
``cases.deadline_due``, ``cases.deadline_overdue`` (context ``due_on``, the due date as text; the
warning also ``percent``, the warning threshold in per cent),
``cases.deferred_overdue_department`` (``material``), ``cases.deferred_supplied`` (``material``,
``outstanding``) and ``cases.verification_overdue``.
"""

from yiwang.core.notify import MessageTemplate, register_templates


def _applicant(title: str, text: str) -> MessageTemplate:
    """An applicant's message: the same sentence in the inbox and, signed, by SMS."""
    return MessageTemplate(title=title, body=text, sms="【{sign}】" + text)


TEMPLATES = {
    # --- to the applicant ---
    "cases.submitted": _applicant("申请已提交", "您的申请“{title}”已提交，办件编号{number}，查询码{code}。"),
    "cases.accepted": _applicant("申请已受理", "您的申请{number}（{title}）已{label}，{due_text}。"),
    "cases.correction_requested": _applicant(
        "申请需补正材料", "您的申请{number}需补正 {count} 项材料，请登录“一网”查看补正告知书并上传。"
    ),
    "cases.rejected": _applicant("申请不予受理", "您的申请{number}不予受理，理由：{reason}。"),
    "cases.paused": _applicant("办件暂停计时", "您的办件{number}进入{pause_kind}程序，所需时间不计入办理时限。"),
    "cases.extended": _applicant("办件延期", "您的办件{number}经批准延长{days}个工作日，理由：{reason}；{due_text}。"),
    "cases.decided": _applicant("办件已办结", "您的办件{number}（{title}）已办结：{outcome}。{delivery}"),
    "cases.bundle_decided": _applicant("一件事已办结", "您的“{title}”（{number}）已全部办结。{delivery}"),
    "cases.delivered": _applicant("办件已出件", "您的办件{number}{text}。"),
    "cases.pledge_false": _applicant(
        "告知承诺核查结果", "经核查，您在办件{number}中的告知承诺与实际不符，已依法记录，请按要求整改。"
    ),
    "cases.deferred_overdue": _applicant("容缺材料已逾期", "您的办件{number}容缺材料“{material}”已逾期，请尽快补交。"),
    "cases.help_taken": _applicant("帮办请求已受理", "您的帮办请求“{topic}”已由{helper}受理，将与您联系。"),
    # --- to staff ---
    "cases.fanned_out": MessageTemplate(
        title="新办件待办：{number}", body="新办件待办：{number} {title}（{parent_title}）"
    ),
    "cases.assigned": MessageTemplate(
        title="办件已分配给您：{number}", body="办件 {number}（{title}）已分配给您，{due_text}。"
    ),
    "cases.extension_requested": MessageTemplate(
        title="延期待审批：{number}", body="办件 {number} 申请延期{days}个工作日，待审批：{reason}"
    ),
    "cases.verification_opened": MessageTemplate(
        title="告知承诺核查任务：{number}", body="告知承诺核查任务：{number}（{title}），{due_on}前完成。"
    ),
    "cases.help_requested": MessageTemplate(title="远程帮办请求", body="远程帮办请求：{name}，{topic}"),
    # --- the deadline sweep's notices (to the department, or the region's intake clerks) ---
    "cases.deadline_warning": MessageTemplate(
        title="办件即将到期：{number}",
        body="办件 {number}（{title}）已用去{percent}%以上时限，请抓紧办理，到期日 {due_on}。",
    ),
    "cases.deadline_due": MessageTemplate(
        title="办件今日到期：{number}", body="办件 {number}（{title}）今日到期，到期日 {due_on}。"
    ),
    "cases.deadline_overdue": MessageTemplate(
        title="办件已超期：{number}", body="办件 {number}（{title}）已超期，到期日 {due_on}。"
    ),
    "cases.deferred_overdue_department": MessageTemplate(
        title="容缺材料逾期：{number}", body="办件 {number} 容缺材料逾期未补交：{material}"
    ),
    "cases.deferred_supplied": MessageTemplate(
        title="容缺材料已补交：{number}", body="办件 {number}（{title}）已补交容缺材料“{material}”，{outstanding}。"
    ),
    "cases.verification_overdue": MessageTemplate(
        title="告知承诺核查已超期：{number}", body="告知承诺核查已超期：{number}"
    ),
}

register_templates(TEMPLATES)
