"""``{% load deadlines %}`` — the one deadline badge every page prints.

    {% deadline_badge deadline %}              剩 5 个工作日 · 临期 · 剩 1 个工作日 · 今日到期 · 已超期 3 个工作日
    {% deadline_badge deadline with_due=True %}  … followed by the due day (or time)
    {{ case_status|deadline_status_label }}    正常 / 临期 / 今日到期 / 已超期
    <span class="badge {{ status|deadline_status_class }}">

Hours deadlines (urgent matters) say 剩 N 小时 / 已超期 N 小时. No count is ever negative.
"""

from django import template
from django.utils.html import format_html, format_html_join

from yiwang.workdays.deadlines import Deadline, DeadlineStatus

register = template.Library()

STATUS_CLASSES = {
    DeadlineStatus.NORMAL: "text-bg-light border",
    DeadlineStatus.WARNING: "text-bg-warning",
    DeadlineStatus.DUE: "text-bg-danger",
    DeadlineStatus.OVERDUE: "text-bg-danger",
}


def _status(value) -> DeadlineStatus | None:
    try:
        return DeadlineStatus(value)
    except ValueError:
        return None


def badge_text(deadline: Deadline) -> tuple[str, str]:
    """(css class, visible text) of a deadline's badge."""
    status = DeadlineStatus(deadline.status)
    if deadline.stopped:
        if status == DeadlineStatus.OVERDUE:
            return "text-bg-danger", "超时办结"
        return "text-bg-success", "按时办结"
    if deadline.paused:
        return "text-bg-secondary", "暂停计时"
    unit = "小时" if deadline.in_hours else "个工作日"
    if status == DeadlineStatus.OVERDUE:
        late = deadline.overdue_hours if deadline.in_hours else deadline.overdue_workdays
        return STATUS_CLASSES[status], f"已超期 {late} {unit}" if late else "已超期"
    if status == DeadlineStatus.DUE:
        return STATUS_CLASSES[status], "今日到期"
    left = deadline.hours_left if deadline.in_hours else deadline.workdays_left
    if status == DeadlineStatus.WARNING:
        return STATUS_CLASSES[status], f"临期 · 剩 {left} {unit}" if left is not None else "临期"
    return STATUS_CLASSES[status], f"剩 {left} {unit}" if left is not None else "正常"


@register.simple_tag
def deadline_badge(deadline: Deadline | None, with_due: bool = False):
    """One Bootstrap badge for a deadline (nothing for None); ``临时期限`` beside it when the due
    day was counted on the statutory fallback calendar; ``with_due`` adds the due day or time."""
    if deadline is None:
        return ""
    css, text = badge_text(deadline)
    parts = [
        format_html(
            '<span class="badge {}" title="{} 到期 {}">{}</span>', css, deadline.label, deadline.display(), text
        )
    ]
    if deadline.provisional:
        parts.append(
            format_html('<span class="badge text-bg-info" title="{}">临时期限</span>', "含尚未公布的节假日安排")
        )
    if with_due:
        parts.append(format_html('<span class="small">{}</span>', deadline.display()))
    return format_html_join(" ", "{}", ((part,) for part in parts))


@register.filter
def deadline_status_label(value) -> str:
    """正常 / 临期 / 今日到期 / 已超期 for a DeadlineStatus value; the value itself if unknown."""
    status = _status(value)
    return str(status.label) if status else str(value or "")


@register.filter
def deadline_status_class(value) -> str:
    """The Bootstrap badge class of a DeadlineStatus value."""
    status = _status(value)
    return STATUS_CLASSES[status] if status else "text-bg-secondary"
