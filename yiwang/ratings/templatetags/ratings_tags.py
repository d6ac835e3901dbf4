from django import template

register = template.Library()


@register.filter
def pct(value) -> str:
    """0.873 → "87.3%"; no data → "—"."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}%"


@register.filter
def score(value) -> str:
    """A satisfaction ratio as a 100-point score: 0.92 → "92.0"."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}"


@register.filter
def bs(field):
    """A bound field rendered with its Bootstrap class."""
    widget = field.field.widget
    kind = getattr(widget, "input_type", "")
    if kind in ("checkbox", "radio"):
        css = "form-check-input"
    elif widget.__class__.__name__ == "Select":
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    return field.as_widget(attrs={"class": css})
