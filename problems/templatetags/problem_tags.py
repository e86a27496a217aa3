from datetime import timedelta

from django import template

from problems.models import ProblemStatus, RootCauseCategory

register = template.Library()


@register.filter
def business_hours(value: timedelta | None) -> str:
    """A working-time span in hours, one decimal: "12.5"."""
    if value is None:
        return "—"
    hours = value.total_seconds() / 3600
    return f"{hours:.1f}"


@register.filter
def event_value(value: str, field: str) -> str:
    """A history row's from/to in words: a status or a root-cause category by its label."""
    labels = {"status": ProblemStatus, "root_cause_category": RootCauseCategory}.get(field)
    if labels is not None and value in labels.values:
        return str(labels(value).label)
    return value
