"""督办 shown where the department works: on the case or appeal page and above its queues."""

from django import template

from ..selectors import awaiting_urges_count, urges_of

register = template.Library()


@register.inclusion_tag("supervision/_urges_on_item.html")
def urges_on_item(case=None, appeal=None):
    if case is None and appeal is None:
        return {"urges": []}
    return {"urges": list(urges_of(case=case, appeal=appeal)[:10])}


@register.inclusion_tag("supervision/_urges_awaiting.html", takes_context=True)
def urges_awaiting(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"urges_awaiting": 0}
    return {"urges_awaiting": awaiting_urges_count(user)}
