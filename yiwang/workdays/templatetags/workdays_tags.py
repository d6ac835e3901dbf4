from django import template

register = template.Library()

WEEKDAYS = "一二三四五六日"


@register.filter
def weekday_cn(day) -> str:
    """周一 … 周日, whatever the active locale (the calendar's own words)."""
    return f"周{WEEKDAYS[day.weekday()]}" if day else ""
