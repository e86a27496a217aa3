from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def business_hours(value: timedelta | None) -> str:
    """A working-time span in hours, one decimal: "12.5"."""
    if value is None:
        return "—"
    hours = value.total_seconds() / 3600
    return f"{hours:.1f}"
