from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``{{ mapping|get_item:key }}`` for dicts keyed by non-string values."""
    return (mapping or {}).get(key, [])


@register.filter
def pct(value):
    """0.8734 → "87.3%"; None → "—"."""
    return "—" if value is None else f"{value * 100:.1f}%"
