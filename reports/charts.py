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

# Text is measured, not guessed: the advance widths of DejaVu Sans (the PDF's font, and the widest the
# page falls back to) for printable ASCII, in thousandths of the font size. Other characters count as
# AVERAGE_WIDTH. Measured from DejaVuSans.ttf and DejaVuSans-Bold.ttf with fontTools.
_WIDTHS = (
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636,
    636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775,
    752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390,
    337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612,
    635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
)  # fmt: skip
_BOLD_WIDTHS = (
    348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696, 696, 696,
    696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734, 830, 683, 683, 821,
    837, 372, 372, 775, 637, 995, 837, 850, 733, 850, 770, 720, 682, 812, 774, 1103, 771, 724, 725, 457,
    365, 457, 838, 500, 500, 675, 716, 593, 716, 678, 435, 716, 712, 343, 343, 665, 343, 1042, 712, 687,
    716, 716, 493, 595, 478, 712, 652, 924, 645, 652, 582, 712, 365, 712, 838,
)  # fmt: skip
AVERAGE_WIDTH = 640
ELLIPSIS = "…"

FONT = 12  # labels
SMALL = 10  # axis figures and values
TITLE_FONT = 14
LINE = 1.3  # line height, in font sizes


def text_width(text: str, size: float = FONT, *, bold: bool = False) -> float:
    """How wide `text` is drawn in DejaVu Sans at `size` (in the SVG's units)."""
    table = _BOLD_WIDTHS if bold else _WIDTHS
    total = 0
    for char in text:
        code = ord(char)
        total += table[code - 32] if 32 <= code < 127 else AVERAGE_WIDTH
    return total * size / 1000


def wrap_text(
    text: str, width: float, size: float = FONT, *, lines: int = 2, bold: bool = False
) -> list[str]:
    """`text` in at most `lines` lines no wider than `width`, broken between words; a word too long for a
    line is cut, and what does not fit in the last line ends in an ellipsis (the full text is in the
    chart's tooltips and in the table beside it)."""
    words = text.split()
    out: list[str] = []
    current = ""
    for index, word in enumerate(words):
        candidate = f"{current} {word}".strip()
        if not current or text_width(candidate, size, bold=bold) <= width:
            current = candidate
            continue
        out.append(current)
        current = word
        if len(out) == lines - 1:
            current = " ".join(words[index:])  # the last line takes the rest, shortened below
            break
    out.append(current)
    return [_truncate(line, width, size, bold=bold) for line in out]


def _truncate(text: str, width: float, size: float, *, bold: bool = False) -> str:
    if text_width(text, size, bold=bold) <= width:
        return text
    while text and text_width(text + ELLIPSIS, size, bold=bold) > width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return f"{text}{'%' if unit == 'percent' else ''}"


def _lines(
    x: float, y: float, lines: list[str], *, size: float, anchor: str = "start", **style
) -> SafeString:
    """One <text> with a <tspan> per line, the first line's baseline at y."""
    extra = "".join(f' {name.replace("_", "-")}="{{}}"' for name in style)
    spans = [
        format_html('<tspan x="{}" dy="{}">{}</tspan>', x, 0 if index == 0 else round(size * LINE, 1), line)
        for index, line in enumerate(lines)
    ]
    return format_html(
        '<text x="{}" y="{}" font-size="{}" text-anchor="{}"' + extra + ">{}</text>",
        x,
        y,
        size,
        anchor,
        *style.values(),
        mark_safe("".join(spans)),  # noqa: S308 - every span was built by format_html
    )


def _title(title: str, width: float) -> tuple[list[SafeString], float]:
    """The chart's visible title, wrapped to the chart's width; returns the pieces and the height taken."""
    lines = wrap_text(title, width - 8, TITLE_FONT, lines=2, bold=True)
    body = [_lines(4, TITLE_FONT + 2, lines, size=TITLE_FONT, font_weight="bold", fill=INK)]
    return body, round(len(lines) * TITLE_FONT * LINE + 8, 1)


def _svg(width: int, height: float, title: str, body: list[SafeString], description: str = "") -> SafeString:
    """The chart: its title drawn at the top, and given to screen readers (<title>, aria-label)."""
    return format_html(
        '<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" '
        'role="img" aria-label="{}" preserveAspectRatio="xMinYMin meet" '
        'font-family="DejaVu Sans, Arial, sans-serif" font-size="{}">'
        "<title>{}</title><desc>{}</desc>{}</svg>",
        width,
        height,
        width,
        height,
        title,
        FONT,
        title,
        description or title,
        mark_safe("".join(body)),  # noqa: S308 - every piece was built by format_html
    )


def bar_chart(
    labels: Sequence[str], values: Sequence[float | None], *, title: str, unit: str = "", width: int = 560
) -> SafeString:
    """Horizontal bars, one per label, in the order given; empty values show as a dash.

    The label column is as wide as the longest label needs (at most 45 % of the chart); a label wider
    than that takes two lines, and only one longer still is shortened (with its full text in the bar's
    tooltip)."""
    body, top = _title(title, width)
    texts = [_number(value, unit) for value in values]
    value_room = max([text_width(text, SMALL) for text in texts] + [0]) + 8
    longest = max([text_width(label) for label in labels] + [0])
    label_width = min(longest + 12, width * 0.45)
    wrapped = [wrap_text(label, label_width - 10) for label in labels]
    bar_space = width - label_width - value_room - 4
    scale_max = max([v for v in values if v is not None] + [100 if unit == "percent" else 1])
    y = top
    for label, lines, value, text in zip(labels, wrapped, values, texts, strict=True):
        row = max(24, round(len(lines) * FONT * LINE + 8))
        length = 0 if value is None else round(bar_space * float(value) / scale_max, 1)
        bar_h = 16
        bar_y = y + (row - bar_h) / 2
        first_baseline = y + row / 2 - (len(lines) - 1) * FONT * LINE / 2 + FONT * 0.35
        body.append(
            _lines(label_width - 8, round(first_baseline, 1), lines, size=FONT, anchor="end", fill=INK)
        )
        body.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>'
                '<text x="{}" y="{}" font-size="{}" fill="{}">{}</text>',
                label_width,
                round(bar_y, 1),
                length,
                bar_h,
                COLOURS[0],
                label,
                text,
                round(label_width + length + 4, 1),
                round(bar_y + bar_h / 2 + SMALL * 0.35, 1),
                SMALL,
                INK,
                text,
            )
        )
        y += row
    if not labels:
        body.append(
            format_html(
                '<text x="4" y="{}" fill="{}">Nothing to show for this period.</text>', top + 16, MUTED
            )
        )
        y += 24
    return _svg(width, round(y + 4, 1), title, body)


def _from_first_data(
    labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]]
) -> tuple[list[str], list[tuple[str, list[float | None]]]]:
    """Drop the months before the first one with anything to show (no tickets yet: all empty or 0), so
    a trend starts where the data does."""
    first = next(
        (i for i in range(len(labels)) if any(values[i] not in (None, 0) for _, values in series)),
        len(labels),
    )
    return list(labels[first:]), [(name, list(values[first:])) for name, values in series]


def _legend(series_names: Sequence[str], left: float, top: float, width: float) -> tuple[list, float]:
    """The legend's entries side by side, measured, starting a new line where the next would not fit;
    returns the pieces and the height taken."""
    body, x, y, gap, swatch = [], left, top, 18, 10
    for index, name in enumerate(series_names):
        entry = swatch + 5 + text_width(name)
        if x > left and x + entry > left + width:
            x, y = left, y + FONT * LINE + 4
        colour = COLOURS[index % len(COLOURS)]
        body.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                '<text x="{}" y="{}" fill="{}">{}</text>',
                round(x, 1),
                round(y, 1),
                swatch,
                swatch,
                colour,
                round(x + swatch + 5, 1),
                round(y + swatch - 0.5, 1),
                INK,
                name,
            )
        )
        x += entry + gap
    return body, round(y - top + FONT * LINE + 6, 1) if series_names else 0


def _frame(
    title: str,
    labels: list[str],
    series: list[tuple[str, list[float | None]]],
    unit: str,
    width: int,
    plot_height: int,
) -> tuple[list, dict]:
    """Title, legend, grid and month labels of a trend chart; returns the pieces and the plot's box."""
    body, top = _title(title, width)
    numbers = [v for _, values in series for v in values if v is not None]
    scale_max = 100.0 if unit == "percent" else _nice_ceiling(max([*numbers, 1]))
    left = (
        max(text_width(_number(scale_max, unit), SMALL), text_width(_number(scale_max / 4, unit), SMALL)) + 10
    )
    right = 8
    legend, legend_h = _legend([name for name, _ in series], left, top, width - left - right)
    body += legend
    box = {
        "left": round(left, 1),
        "top": top + legend_h + 6,
        "width": width - left - right,
        "height": plot_height,
        "scale_max": scale_max,
    }
    body += _grid(box["left"], box["top"], box["width"], box["height"], scale_max, unit)
    return body, box


def column_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    title: str,
    unit: str = "",
    width: int = 560,
    height: int = 150,
) -> SafeString:
    """Grouped columns: one group per label (a month), one column per series, with a legend; the trend
    starts at the first month with data, and each column carries its figure."""
    labels, series = _from_first_data(labels, series)
    body, box = _frame(title, labels, series, unit, width, height)
    left, top, plot_w, plot_h, scale_max = (box[k] for k in ("left", "top", "width", "height", "scale_max"))
    group_w = plot_w / max(len(labels), 1)
    column_w = min(28.0, (group_w - 8) / max(len(series), 1))
    for s_index, (name, values) in enumerate(series):
        colour = COLOURS[s_index % len(COLOURS)]
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
            text = _number(value, unit)
            if text_width(text, 9) <= column_w + 4:
                body.append(
                    format_html(
                        '<text x="{}" y="{}" font-size="9" text-anchor="middle" fill="{}">{}</text>',
                        round(x + (column_w - 2) / 2, 1),
                        round(top + plot_h - h - 3, 1),
                        MUTED,
                        text,
                    )
                )
    body += _x_labels(labels, left, top + plot_h, group_w)
    _nothing(body, labels, box)
    return _svg(width, round(top + plot_h + 26, 1), title, body)


def line_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    title: str,
    unit: str = "",
    width: int = 560,
    height: int = 150,
) -> SafeString:
    """Lines with dots, one per series; a missing value breaks the line; the trend starts at the first
    month with data."""
    labels, series = _from_first_data(labels, series)
    body, box = _frame(title, labels, series, unit, width, height)
    left, top, plot_w, plot_h, scale_max = (box[k] for k in ("left", "top", "width", "height", "scale_max"))
    step = plot_w / max(len(labels), 1)
    for s_index, (name, values) in enumerate(series):
        colour = COLOURS[s_index % len(COLOURS)]
        points: list[tuple[float, float] | None] = []
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
    _nothing(body, labels, box)
    return _svg(width, round(top + plot_h + 26, 1), title, body)


def _nothing(body: list, labels: list[str], box: dict) -> None:
    if not labels:
        body.append(
            format_html(
                '<text x="{}" y="{}" fill="{}">Nothing to show for this period.</text>',
                box["left"] + 8,
                box["top"] + box["height"] / 2,
                MUTED,
            )
        )


def _nice_ceiling(value: float) -> float:
    """The smallest 4 x step at or above `value`, with a round step (1, 2, 2.5 or 5 x 10^n), so that
    the axis's five lines read easily (0, 5, 10, 15, 20 rather than 0, 12.5, 25, 37.5, 50)."""
    magnitude = 1.0
    while magnitude * 10 <= value / 4:
        magnitude *= 10
    while magnitude > value / 4 and magnitude > 0.25:
        magnitude /= 10
    for factor in (1, 2, 2.5, 5, 10):
        if 4 * factor * magnitude >= value:
            return 4 * factor * magnitude
    return 40 * magnitude


def _grid(left: float, top: float, plot_w: float, plot_h: float, scale_max: float, unit: str) -> list:
    body = []
    for step in range(5):
        share = step / 4
        y = round(top + plot_h - plot_h * share, 1)
        body.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
                '<text x="{}" y="{}" text-anchor="end" fill="{}" font-size="{}">{}</text>',
                left,
                y,
                round(left + plot_w, 1),
                y,
                GRID,
                round(left - 4, 1),
                round(y + 4, 1),
                MUTED,
                SMALL,
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


def availability_charts(report: dict, *, width: int = 560) -> list[SafeString]:
    """One chart per town: its sites' availability over their agreed hours (a run stored before
    availability was reported has none)."""
    return [
        bar_chart(
            [row["name"] for row in town["sites"]],
            [row["availability_percent"] for row in town["sites"]],
            title=f"Availability of the sites in {town['town']} (%)",
            unit="percent",
            width=width,
        )
        for town in report.get("availability", {}).get("towns", [])
    ]


def report_charts(report: dict, *, width: int = 560) -> dict[str, SafeString]:
    """The charts of a KPI report (kpis.month_report or a run's snapshot), by name. `width` is the
    trend charts' drawing width: the dashboard draws them at 440, so that their text stays readable
    when a phone shrinks them to its width; the PDF at 640 (documents.PDF_CHART_WIDTH)."""
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
            title="Tickets logged, resolved and open at month end, by month",
            width=width,
        ),
        "compliance": line_chart(
            labels,
            [
                ("Response target met", trend["response_compliance"]),
                ("Resolution target met", trend["resolution_compliance"]),
            ],
            title="Service level targets met, by month (%)",
            width=width,
            unit="percent",
        ),
        "resolution_time": line_chart(
            labels,
            [("Mean", trend["mean_resolution_hours"]), ("Median", trend["median_resolution_hours"])],
            title="Resolution time in business hours, by month",
            width=width,
        ),
        "satisfaction": line_chart(
            labels,
            [
                ("First-contact resolution", trend["first_contact_rate"]),
                ("Rated 4 or 5", trend["satisfaction_share_4_5"]),
            ],
            title="First-contact resolution and ratings of 4 or 5, by month (%)",
            width=width,
            unit="percent",
        ),
        "by_town": bar_chart(
            [row["label"] for row in breakdowns["town"]],
            [row["logged"] for row in breakdowns["town"]],
            title="Tickets logged per town",
            width=360,
        ),
        "by_category": bar_chart(
            [row["label"] for row in breakdowns["category"]],
            [row["logged"] for row in breakdowns["category"]],
            title="Tickets logged per service category",
            width=360,
        ),
        "by_site": bar_chart(
            [row["label"] for row in breakdowns["site"]],
            [row["logged"] for row in breakdowns["site"]],
            title="Tickets logged per site",
        ),
        "top_services": bar_chart(
            [row["label"] for row in report["top_services"]],
            [row["logged"] for row in report["top_services"]],
            title="The services with most tickets logged",
            width=width,
        ),
        "sla_by_priority": bar_chart(
            [row["label"] for row in sla["by_priority"]],
            [row["resolution_compliance"] for row in sla["by_priority"]],
            title="Resolution SLA met per priority (%)",
            unit="percent",
        ),
    }
