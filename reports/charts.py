"""Charts as SVG, drawn on the server: one drawing for the dashboard and the PDF, no JavaScript, no CDN.

Every piece of text goes through format_html (escaped), so a site or service name cannot inject markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

INK = "#1f2937"
MUTED = "#6b7280"
GRID = "#d1d5db"
COLOURS = ("#14532d", "#65a30d", "#b45309", "#1d4ed8", "#7c3aed")


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return f"{text}{'%' if unit == 'percent' else ''}"


def _svg(width: int, height: int, title: str, body: list[SafeString], description: str = "") -> SafeString:
    return format_html(
        '<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" '
        'role="img" preserveAspectRatio="xMinYMin meet" font-family="DejaVu Sans, Arial, sans-serif" '
        'font-size="12"><title>{}</title><desc>{}</desc>{}</svg>',
        width,
        height,
        width,
        height,
        title,
        description or title,
        mark_safe("".join(body)),  # noqa: S308 - every piece was built by format_html
    )


def bar_chart(
    labels: Sequence[str], values: Sequence[float | None], *, title: str, unit: str = "", width: int = 560
) -> SafeString:
    """Horizontal bars, one per label, largest scale first as given; empty values show as a dash."""
    row, label_width, top = 24, 190, 8
    height = top + row * max(len(labels), 1) + 8
    scale_max = max([v for v in values if v is not None] + [100 if unit == "percent" else 1])
    bar_space = width - label_width - 70
    body = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + index * row
        length = 0 if value is None else round(bar_space * float(value) / scale_max, 1)
        short = label if len(label) <= 30 else label[:29] + "…"
        body.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" fill="{}">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>'
                '<text x="{}" y="{}" fill="{}">{}</text>',
                label_width - 6,
                y + 15,
                INK,
                short,
                label_width,
                y + 4,
                length,
                row - 8,
                COLOURS[0],
                label,
                _number(value, unit),
                label_width + length + 4,
                y + 15,
                INK,
                _number(value, unit),
            )
        )
    if not labels:
        body.append(
            format_html('<text x="8" y="24" fill="{}">Nothing to show for this period.</text>', MUTED)
        )
    return _svg(width, height, title, body)


def column_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    title: str,
    unit: str = "",
    width: int = 560,
    height: int = 220,
) -> SafeString:
    """Grouped columns: one group per label (a month), one column per series, with a legend."""
    left, right, top, bottom = 44, 8, 28, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    numbers = [v for _, values in series for v in values if v is not None]
    scale_max = 100.0 if unit == "percent" else _nice_ceiling(max([*numbers, 1]))
    body = _grid(left, top, plot_w, plot_h, scale_max, unit)
    group_w = plot_w / max(len(labels), 1)
    column_w = min(28.0, (group_w - 8) / max(len(series), 1))
    for s_index, (name, values) in enumerate(series):
        colour = COLOURS[s_index % len(COLOURS)]
        body.append(_legend(left + s_index * 150, colour, name))
        for index, value in enumerate(values):
            if value is None:
                continue
            h = round(plot_h * float(value) / scale_max, 1)
            x = round(left + index * group_w + (group_w - column_w * len(series)) / 2 + s_index * column_w, 1)
            body.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{} {}: {}</title></rect>',
                    x,
                    round(top + plot_h - h, 1),
                    round(column_w - 2, 1),
                    h,
                    colour,
                    name,
                    labels[index],
                    _number(value, unit),
                )
            )
    body += _x_labels(labels, left, top + plot_h, group_w)
    return _svg(width, height, title, body)


def line_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    title: str,
    unit: str = "",
    width: int = 560,
    height: int = 220,
) -> SafeString:
    """Lines with dots, one per series; a missing value breaks the line."""
    left, right, top, bottom = 44, 8, 28, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    numbers = [v for _, values in series for v in values if v is not None]
    scale_max = 100.0 if unit == "percent" else _nice_ceiling(max([*numbers, 1]))
    body = _grid(left, top, plot_w, plot_h, scale_max, unit)
    step = plot_w / max(len(labels), 1)
    for s_index, (name, values) in enumerate(series):
        colour = COLOURS[s_index % len(COLOURS)]
        body.append(_legend(left + s_index * 150, colour, name))
        points = []
        for index, value in enumerate(values):
            if value is None:
                points.append(None)
                continue
            x = round(left + step * index + step / 2, 1)
            y = round(top + plot_h - plot_h * float(value) / scale_max, 1)
            points.append((x, y))
            body.append(
                format_html(
                    '<circle cx="{}" cy="{}" r="3.5" fill="{}"><title>{} {}: {}</title></circle>',
                    x,
                    y,
                    colour,
                    name,
                    labels[index],
                    _number(value, unit),
                )
            )
        for start, end in pairwise(points):
            if start and end:
                body.append(
                    format_html(
                        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2"/>',
                        *start,
                        *end,
                        colour,
                    )
                )
    body += _x_labels(labels, left, top + plot_h, step)
    return _svg(width, height, title, body)


def _legend(x: float, colour: str, name: str) -> SafeString:
    return format_html(
        '<rect x="{}" y="6" width="10" height="10" fill="{}"/><text x="{}" y="15" fill="{}">{}</text>',
        x,
        colour,
        x + 14,
        INK,
        name,
    )


def _nice_ceiling(value: float) -> float:
    """The next round number above `value` (1, 2, 5 x 10^n), so the axis reads easily."""
    magnitude = 1.0
    while magnitude * 10 <= value:
        magnitude *= 10
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= value:
            return factor * magnitude
    return 10 * magnitude


def _grid(left: float, top: float, plot_w: float, plot_h: float, scale_max: float, unit: str) -> list:
    body = []
    for step in range(5):
        share = step / 4
        y = round(top + plot_h - plot_h * share, 1)
        body.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
                '<text x="{}" y="{}" text-anchor="end" fill="{}" font-size="10">{}</text>',
                left,
                y,
                left + plot_w,
                y,
                GRID,
                left - 4,
                y + 4,
                MUTED,
                _number(scale_max * share, unit),
            )
        )
    return body


def _x_labels(labels: Sequence[str], left: float, baseline: float, step: float) -> list:
    return [
        format_html(
            '<text x="{}" y="{}" text-anchor="middle" fill="{}" font-size="11">{}</text>',
            round(left + step * index + step / 2, 1),
            round(baseline + 16, 1),
            INK,
            label,
        )
        for index, label in enumerate(labels)
    ]


def report_charts(report: dict) -> dict[str, SafeString]:
    """The charts of a KPI report (kpis.month_report or a run's snapshot), by name."""
    trend = report["trend"]
    labels = trend["labels"]
    breakdowns = report["breakdowns"]
    sla = report["sla"]
    return {
        "volumes": column_chart(
            labels,
            [
                ("Logged", trend["logged"]),
                ("Resolved", trend["resolved"]),
                ("Open at month end", trend["backlog"]),
            ],
            title="Tickets logged, resolved and open, last six months",
        ),
        "compliance": line_chart(
            labels,
            [("Response", trend["response_compliance"]), ("Resolution", trend["resolution_compliance"])],
            title="SLA compliance, last six months (%)",
            unit="percent",
        ),
        "resolution_time": line_chart(
            labels,
            [("Mean", trend["mean_resolution_hours"]), ("Median", trend["median_resolution_hours"])],
            title="Resolution time in business hours, last six months",
        ),
        "satisfaction": line_chart(
            labels,
            [
                ("First-contact resolution", trend["first_contact_rate"]),
                ("Rated 4 or 5", trend["satisfaction_share_4_5"]),
            ],
            title="First-contact resolution and satisfaction, last six months (%)",
            unit="percent",
        ),
        "by_town": bar_chart(
            [row["label"] for row in breakdowns["town"]],
            [row["logged"] for row in breakdowns["town"]],
            title="Tickets logged per town",
        ),
        "by_site": bar_chart(
            [row["label"] for row in breakdowns["site"]],
            [row["logged"] for row in breakdowns["site"]],
            title="Tickets logged per site",
        ),
        "top_services": bar_chart(
            [row["label"] for row in report["top_services"]],
            [row["logged"] for row in report["top_services"]],
            title="The services with most tickets",
        ),
        "sla_by_priority": bar_chart(
            [row["label"] for row in sla["by_priority"]],
            [row["resolution_compliance"] for row in sla["by_priority"]],
            title="Resolution SLA met per priority (%)",
            unit="percent",
        ),
    }
