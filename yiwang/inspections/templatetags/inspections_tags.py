from django import template

register = template.Library()


@register.filter
def pct(value) -> str:
    """0.0533 → "5.3%"; None (nothing to divide by) → "—"."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}%"


@register.filter
def bp_pct(value) -> str:
    """Basis points as a percentage: 300 → "3%", 250 → "2.5%"."""
    if value is None:
        return "—"
    return f"{int(value) / 100:g}%"


@register.filter
def get(mapping, key):
    return (mapping or {}).get(key)


@register.filter
def publish_deadline(task):
    """The task's publication deadline (None before a result is recorded)."""
    from yiwang.inspections.selectors import task_deadline

    return task_deadline(task)
