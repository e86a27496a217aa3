"""Formatting of KPI values for the dashboard and the PDF: one way to write a figure everywhere."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from django import template
from django.urls import reverse

from reports.periods import TZ

register = template.Library()

UNIT_SUFFIX = {"percent": "%", "hours": " h"}


@register.filter
def kpi(value, unit: str = "") -> str:
    """A figure as people read it: 1,234 tickets, 83.3%, 3.67 h, R 12,466.67; a dash for "no data"."""
    if value is None or value == "":
        return "-"
    if unit == "count":
        return f"{int(value):,}"
    if unit == "rand":
        return f"R {value:,.2f}"
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "hours":
        return f"{value:,.2f} h"
    if unit in ("score", "ratio"):
        return f"{value:.2f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


@register.filter
def change_words(change: dict | None, unit: str = "") -> str:
    """'+6 (+300%)', '-16.7 points', 'no change', or '' when there is nothing to compare with."""
    if not change or change.get("difference") is None:
        return ""
    difference = change["difference"]
    if difference == 0:
        return "no change"
    sign = "+" if difference > 0 else "-"
    size = abs(difference)
    if unit == "count":
        text = f"{sign}{int(size):,}"
        if change.get("relative") is not None:
            text += f" ({sign}{abs(change['relative']):.0f}%)"
        return text
    if unit == "percent":
        return f"{sign}{size:.1f} points"
    if unit == "hours":
        return f"{sign}{size:,.2f} h"
    if unit == "rand":
        return f"{sign}R {size:,.2f}"
    return f"{sign}{size:.2f}"


@register.filter
def change_class(change: dict | None) -> str:
    if not change or change.get("good") is None:
        return "change-neutral"
    return "change-good" if change["good"] else "change-bad"


@register.filter
def local_time(value: str | datetime | None, part: str = "") -> str:
    """An ISO text or datetime from a snapshot in South African time: '3 Oct 2026 09:00' ('date': no time)."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    local = moment.astimezone(TZ)
    return f"{local.day} {local:%b %Y}" if part == "date" else f"{local.day} {local:%b %Y %H:%M}"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.simple_tag(takes_context=True)
def figure_url(context, figure: str, *args, **params) -> str:
    """The list of tickets behind a figure: /reports/tickets/?figure=...&month=...&<scope>&<params>.
    Positional args come in pairs (name, value) so templates can pass a dimension's parameter name."""
    query = {**context.get("figure_query", {}), "figure": figure}
    for name, value in zip(args[::2], args[1::2], strict=True):
        query[name] = value
    query.update(params)
    return (
        reverse("reports:tickets") + "?" + urlencode({k: v for k, v in query.items() if v not in (None, "")})
    )


@register.filter
def urlencode_dict(params: dict) -> str:
    return urlencode({k: v for k, v in (params or {}).items() if v not in (None, "")})


@register.filter
def breach_words(row: dict) -> str:
    """What a breached ticket missed, in words: "response, resolution", "overdue at the end"."""
    words = [
        word
        for key, word in (
            ("response_breached", "response"),
            ("resolution_breached", "resolution"),
            ("overdue", "overdue at the end"),
        )
        if row.get(key)
    ]
    return ", ".join(words)
