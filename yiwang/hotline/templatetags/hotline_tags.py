"""Template helpers for the hotline pages: Bootstrap widgets, state badges, rates (deadline badges:
``{% load deadlines %}``)."""

from functools import lru_cache
from urllib.parse import quote

from django import forms, template
from django.urls import get_script_prefix, reverse
from django.utils.http import RFC3986_SUBDELIMS

from yiwang.hotline.rules import redact_text

register = template.Library()

STATE_CLASSES = {
    "received": "text-bg-secondary",
    "dispatched": "text-bg-info",
    "returned": "text-bg-warning",
    "signed_off": "text-bg-primary",
    "reopened": "text-bg-warning",
    "replied": "text-bg-success",
    "revisited": "text-bg-success",
    "closed": "text-bg-dark",
    "answered": "text-bg-dark",
    "declined": "text-bg-light border",
    "merged": "text-bg-light border",
}


@register.filter
def bs(bound_field, extra: str = ""):
    """Render a form field's widget with Bootstrap classes and ARIA links to help and errors."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
        css = "form-check-input"
    elif isinstance(widget, forms.Select | forms.SelectMultiple):
        css = "form-select"
    else:
        css = "form-control"
    attrs = {"class": f"{css} {extra}".strip()}
    described = []
    if bound_field.help_text:
        described.append(f"{bound_field.auto_id}_help")
    if bound_field.errors:
        attrs["class"] += " is-invalid"
        attrs["aria-invalid"] = "true"
        described.append(f"{bound_field.auto_id}_error")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return bound_field.as_widget(attrs=attrs)


@register.filter
def state_class(state: str) -> str:
    return STATE_CLASSES.get(state, "text-bg-secondary")


@register.filter
def pct(value) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.1f}%"


@register.filter
def redact(text) -> str:
    return redact_text(str(text or ""))


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


_CODE = "__appeal_code__"  # in place of the code while the pattern is reversed


@lru_cache(maxsize=64)
def _appeal_url_parts(script_prefix: str, action: str) -> tuple[str, str]:
    """The staff page of an appeal (or of one of its actions) around its code, reversed once per script
    prefix and action. ``script_prefix`` is only the cache's key: ``reverse`` reads it itself."""
    url = reverse("hotline:appeal_action", args=[_CODE, action]) if action else reverse("hotline:appeal", args=[_CODE])
    head, _, tail = url.rpartition(_CODE)
    return head, tail


@register.filter
def staff_appeal_url(code, action: str = "") -> str:
    """``{% url 'hotline:appeal' code %}`` (``{% url 'hotline:appeal_action' code action %}`` with an
    action) for the lists that link every row and its similar appeals: the pattern is reversed once and
    filled in, with the code quoted as ``reverse`` quotes it. A reversal is ~75 µs of CPU on the
    county's server; the dispatch queue links up to 150 appeals a page."""
    head, tail = _appeal_url_parts(get_script_prefix(), str(action or ""))
    return head + quote(str(code), safe=RFC3986_SUBDELIMS + "~:@") + tail


@register.inclusion_tag("hotline/_staff_nav.html", takes_context=True)
def staff_nav(context, active: str):
    """The hotline workbench tabs a user's roles open (the pages check again)."""
    from yiwang.hotline import selectors

    user = context["request"].user
    links = []
    if selectors.user_is_intake_staff(user):
        links.append(("intake", "话务登记"))
    if selectors.user_is_dispatcher(user):
        links.append(("dispatch_queue", "派单台"))
    if selectors.user_is_intake_staff(user):
        links.append(("knowledge", "知识库"))
    if selectors.user_is_handler(user) or selectors.user_is_dispatcher(user):
        links.append(("handler_queue", "部门待办"))
    links.append(("unresolved", "办不成事"))
    if selectors.user_sees_dashboard(user):
        links += [("dashboard", "考核看板"), ("hotspots", "热点分布")]
    return {"staff_links": links, "active": active}


@register.filter
def decline_label(reason: str) -> str:
    from yiwang.hotline.models import Appeal

    try:
        return str(Appeal.DeclineReason(reason).label)
    except ValueError:
        return reason


@register.filter
def state_label_text(state: str) -> str:
    from yiwang.hotline.models import Appeal

    try:
        return str(Appeal.State(state).label)
    except ValueError:
        return state
