"""Template helpers for the hotline pages: Bootstrap widgets, state badges, rates (deadline badges:
``{% load deadlines %}``)."""

from django import forms, template

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
