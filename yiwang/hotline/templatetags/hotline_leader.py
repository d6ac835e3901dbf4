"""Figures the 接诉即办 dashboard links to their lists (在办超期诉求)."""

from django import template

from ..drill import overdue_appeals

register = template.Library()


@register.simple_tag(takes_context=True)
def overdue_appeals_count(context) -> int:
    """在办超期诉求 in the viewer's scope (the count the overdue list pages through)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return 0
    return overdue_appeals(request.user).count()
