"""The report's files: PDF (WeasyPrint), XLSX (openpyxl) and the CSV of the month's tickets.

The PDF and the XLSX are drawn from a KPI snapshot (kpis.month_report's dict, as stored on the run),
never from the live tables, so a re-render (new commentary, the sign-off) shows the same numbers. Text
in a spreadsheet cell never becomes a formula (common.spreadsheets: safe_cell for the XLSX, whose cells
are typed text and never split; write_csv for the CSV), and the PDF renderer fetches nothing but our own
static files.
"""

from __future__ import annotations

import io
import mimetypes
from datetime import date, datetime
from pathlib import Path
from typing import cast
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.models import Case, FilteredRelation, Q, Value, When
from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from common.spreadsheets import safe_cell, write_csv
from incidents.models import Ticket, reference_for
from slas.models import ClockKind, ClockState
from slas.outcomes import FALLBACK, OUTCOMES, Outcome, clock_outcome_case

from . import kpis
from .charts import availability_charts, report_charts
from .kpis.changes import DEFINITIONS as CHANGE_DEFINITIONS
from .kpis.problems import DEFINITIONS as PROBLEM_DEFINITIONS
from .models import SECTIONS
from .periods import TZ, Period
from .self_help import DEFINITIONS as SELF_HELP_DEFINITIONS
from .self_help import self_help_of

PANGO_HELP = (
    "The PDF needs WeasyPrint's system libraries. On Debian or Ubuntu: "
    "apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core "
    "(the README lists them). The XLSX and CSV do not need them."
)


# --- PDF -----------------------------------------------------------------------------------------------


def pdf_unavailable() -> str:
    """Why the PDF cannot be made on this machine, in words; empty when it can."""
    try:
        import weasyprint  # noqa: F401 - loading it loads Pango
    except (ImportError, OSError) as exc:
        return f"{PANGO_HELP} ({type(exc).__name__}: {exc})"
    return ""


def static_roots() -> list[Path]:
    """The folders our static files are served from: the project's, each app's, and collectstatic's."""
    roots = [Path(folder) for folder in settings.STATICFILES_DIRS]
    roots += [Path(config.path) / "static" for config in apps.get_app_configs()]
    roots.append(Path(settings.STATIC_ROOT))
    return [root.resolve() for root in roots if root.is_dir()]


def static_url(path: str) -> str:
    """A file:// URL for one of our static files, for the PDF's stylesheet and images."""
    found = finders.find(path)
    if not found:
        raise FileNotFoundError(f"static file {path} not found")
    return Path(found).resolve().as_uri()


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Loads our own static files and nothing else: no network, no data: URLs, no other file.

        Whatever a ticket's text contains, the template escapes it; this is the second lock: even a
        URL that reached the renderer could not make it read /etc/passwd or call a server.
        """

        def __init__(self):
            super().__init__(allowed_protocols={"file"}, allow_redirects=False, timeout=1)

        def fetch(self, url, headers=None):
            path = allowed_static_path(url)
            if path is None:
                raise PermissionError(f"the report may only load its own static files, not {url[:100]!r}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
            )

    return StaticOnlyFetcher()


def allowed_static_path(url: str) -> Path | None:
    """The file a URL names when it is one of our static files; None for anything else."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    try:
        path = Path(url2pathname(parts.path)).resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        return None
    if not path.is_file():
        return None
    return path if any(path.is_relative_to(root) for root in static_roots()) else None


def build_pdf(report: dict, *, commentary: dict, run=None) -> bytes:
    """The ManCo report as a PDF for printing: cover, executive summary, sections, annexes."""
    missing = pdf_unavailable()
    if missing:
        raise RuntimeError(missing)
    from weasyprint import HTML

    html = render_to_string("reports/report_pdf.html", pdf_context(report, commentary=commentary, run=run))
    return HTML(string=html, base_url=None, url_fetcher=_fetcher()).write_pdf()


# The printed annex lists the first breached tickets (in the snapshot's order: priority, then the oldest
# first); the XLSX has the snapshot's whole list (kpis.ANNEX_LIMIT) and the CSV every ticket of the month
# with its SLA columns. Laying out 1,000 rows took more than half the PDF's time (docs/performance.md).
PDF_ANNEX_ROWS = 200
# The trend charts' drawing width in the PDF: at 640 units across the 178 mm between the margins their text
# prints at the body's 9.5 pt and each chart takes about 60 mm, so a short chapter shares a page.
PDF_CHART_WIDTH = 640


def pdf_annex(report: dict) -> dict:
    """The breached tickets the PDF prints, and how many more the XLSX lists ("more_beyond": the snapshot
    itself stopped at kpis.ANNEX_LIMIT, so there are more still, in the CSV)."""
    breached = report.get("breached") or {"rows": [], "truncated": False}
    rows = breached["rows"]
    shown = rows[:PDF_ANNEX_ROWS]
    return {
        "rows": shown,
        "more": len(rows) - len(shown),
        "in_xlsx": len(rows),
        "more_beyond": bool(breached.get("truncated")),
    }


def pdf_context(report: dict, *, commentary: dict, run=None) -> dict:
    return {
        "annex": pdf_annex(report),
        "report": report,
        "run": run,
        "headlines": kpis.headline_rows(report),
        "executive": [row for row in kpis.headline_rows(report) if row["key"] in kpis.EXECUTIVE_FIVE],
        "charts": report_charts(report, width=PDF_CHART_WIDTH),
        "availability_charts": availability_charts(report, width=PDF_CHART_WIDTH),
        "definitions": kpis.definition_rows(report),
        "counting_rules": kpis.COUNTING_RULES,
        "table_definitions": kpis.TABLE_DEFINITIONS,
        "commentary": commentary or {},
        "sections": SECTIONS,
        "dimensions": kpis.DIMENSIONS,
        "stylesheet_url": static_url("reports/report-print.css"),
        "logo_url": static_url("img/favicon.svg"),
        "self_help": self_help_of(report),
        "self_help_definitions": SELF_HELP_DEFINITIONS,
        "problem_definitions": PROBLEM_DEFINITIONS,
        "change_definitions": CHANGE_DEFINITIONS,
    }


# --- XLSX ----------------------------------------------------------------------------------------------

HEADER_FILL = PatternFill("solid", fgColor="DCFCE7")
WRAP = Alignment(wrap_text=True, vertical="top")
BOLD = Font(bold=True)


def _cell_value(value):
    """Numbers stay numbers; text that a spreadsheet could run as a formula is made inert text."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.astimezone(TZ).replace(tzinfo=None)
    return safe_cell(value) if value is not None else None


def _write(sheet, row: int, values: list, *, bold: bool = False, fill=None) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column, value=_cell_value(value))
        if isinstance(cell.value, str):
            cell.data_type = "s"  # never a formula, whatever the text
        if isinstance(cell.value, datetime):
            cell.number_format = "yyyy-mm-dd hh:mm"
        if bold:
            cell.font = BOLD
        if fill is not None:
            cell.fill = fill


def _table(workbook, title: str, header: list[str], rows: list[list], *, note: str = "") -> tuple:
    """A sheet holding one table (header in row 1 or 3 with a note above it); returns (sheet, first row)."""
    sheet = workbook.create_sheet(title[:31])
    first = 1
    if note:
        _write(sheet, 1, [note])
        first = 3
    _write(sheet, first, header, bold=True, fill=HEADER_FILL)
    for offset, values in enumerate(rows, start=1):
        _write(sheet, first + offset, values)
    for column, name in enumerate(header, start=1):
        width = max(
            [len(str(name))] + [len(str(r[column - 1])) for r in rows[:200] if r[column - 1] is not None]
        )
        sheet.column_dimensions[get_column_letter(column)].width = min(max(10, width + 2), 60)
    sheet.freeze_panes = sheet.cell(row=first + 1, column=1)
    return sheet, first


def _bar(sheet, first: int, count: int, *, title: str, value_column: int, anchor: str, label_column: int = 1):
    if not count:
        return
    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    chart.legend = None
    data = Reference(sheet, min_col=value_column, min_row=first, max_row=first + count)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=label_column, min_row=first + 1, max_row=first + count))
    chart.height, chart.width = max(6, 0.6 * count + 2), 16
    sheet.add_chart(chart, anchor)


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _definitions_sheet(workbook, report: dict) -> None:
    """How every figure is counted, in the words of the PDF's Annex B (kpis.COUNTING_RULES, DEFINITIONS,
    TABLE_DEFINITIONS), so the workbook explains itself without the PDF."""
    sheet = workbook.create_sheet("Definitions")
    _write(sheet, 1, ["How the figures are counted"], bold=True)
    row = 3
    _write(sheet, row, ["Rule", "What it means"], bold=True, fill=HEADER_FILL)
    for name, words in kpis.COUNTING_RULES:
        row += 1
        _write(sheet, row, [name, words])
    row += 2
    _write(sheet, row, ["Figure", "How it is counted", "Tickets it counts"], bold=True, fill=HEADER_FILL)
    for definition in kpis.definition_rows(report):
        row += 1
        _write(sheet, row, [definition["label"], definition["definition"], definition["tickets"]])
    row += 2
    _write(sheet, row, ["Table", "What it counts"], bold=True, fill=HEADER_FILL)
    for name, words in kpis.TABLE_DEFINITIONS:
        row += 1
        _write(sheet, row, [name, words])
    for heading, words_of in (
        ("Self-help (sheet Self-help)", SELF_HELP_DEFINITIONS),
        ("Problems and improvements (sheet Problems)", PROBLEM_DEFINITIONS),
        ("Changes (sheet Changes)", CHANGE_DEFINITIONS),
    ):
        row += 2
        _write(sheet, row, [heading, "How it is counted"], bold=True, fill=HEADER_FILL)
        for name, words in words_of:
            row += 1
            _write(sheet, row, [name, words])
    workbook.move_sheet(sheet, offset=1 - workbook.index(sheet))  # second, after the summary
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 90
    sheet.column_dimensions["C"].width = 40
    for cells in sheet.iter_rows(min_row=3, min_col=2, max_col=2):
        for cell in cells:
            cell.alignment = WRAP


def _summary_sheet(workbook, report: dict, run) -> None:
    """The headline figures against last month, with the report's scope and whether it is signed off."""
    summary = cast(Worksheet, workbook.active)  # a new Workbook's one sheet
    summary.title = "Summary"
    period, previous = report["period"], report["previous_period"]
    _write(summary, 1, [f"{report['organisation']}: ICT service desk performance report"], bold=True)
    _write(summary, 2, [period["long_label"]])
    _write(summary, 3, [f"Scope: {report['scope']['words']}"])
    _write(summary, 4, [f"Compared with: {previous['long_label']}"])
    signed = (
        f"Signed off by {run.signed_off_by} on {run.signed_off_at:%Y-%m-%d}"
        if run and run.signed_off_at
        else "Draft"
    )
    _write(summary, 5, [signed])
    _write(summary, 6, ["Sheet Definitions says how each figure is counted."])
    header = ["Figure", period["label"], previous["label"], "Change", "Unit", "In short"]
    _write(summary, 7, header, bold=True, fill=HEADER_FILL)
    for offset, row in enumerate(kpis.headline_rows(report), start=8):
        _write(
            summary,
            offset,
            [
                row["label"],
                row["value"],
                row["previous"],
                row["change"]["difference"],
                row["unit"],
                row["help"],
            ],
        )
    summary.column_dimensions["A"].width = 30
    summary.column_dimensions["F"].width = 60


def _first_trend_month(report: dict) -> int:
    """The trend's first month with tickets, as the PDF's trend charts (charts._from_first_data): every
    sheet that sets the month against earlier ones starts there."""
    trend = report["trend"]
    return next(
        (
            i
            for i in range(len(trend["labels"]))
            if trend["logged"][i] or trend["resolved"][i] or trend["backlog"][i]
        ),
        0,
    )


def _trend_sheet(workbook, report: dict) -> None:
    """The months side by side, from the first month with tickets, with two native charts."""
    trend = report["trend"]
    trend_keys = [
        ("logged", "Logged"),
        ("resolved", "Resolved"),
        ("backlog", "Open at month end"),
        ("response_compliance", "Response SLA met (%)"),
        ("resolution_compliance", "Resolution SLA met (%)"),
        ("mean_resolution_hours", "Mean resolution (business h)"),
        ("median_resolution_hours", "Median resolution (business h)"),
        ("first_contact_rate", "First-contact resolution (%)"),
        ("satisfaction_mean", "Satisfaction (1-5)"),
    ]
    start = _first_trend_month(report)
    rows = [
        [label] + [trend[key][i] for key, _ in trend_keys]
        for i, label in enumerate(trend["labels"])
        if i >= start
    ]
    sheet, first = _table(workbook, "Trend", ["Month"] + [name for _, name in trend_keys], rows)
    volumes = BarChart()
    volumes.title = "Tickets per month"
    volumes.add_data(
        Reference(sheet, min_col=2, max_col=4, min_row=first, max_row=first + len(rows)),
        titles_from_data=True,
    )
    volumes.set_categories(Reference(sheet, min_col=1, min_row=first + 1, max_row=first + len(rows)))
    sheet.add_chart(volumes, "L2")
    compliance = LineChart()
    compliance.title = "SLA compliance (%)"
    compliance.add_data(
        Reference(sheet, min_col=5, max_col=6, min_row=first, max_row=first + len(rows)),
        titles_from_data=True,
    )
    compliance.set_categories(Reference(sheet, min_col=1, min_row=first + 1, max_row=first + len(rows)))
    sheet.add_chart(compliance, "L20")


def _breakdown_sheets(workbook, report: dict) -> None:
    """Volumes by each dimension (town, site, category, priority, ...), charted where a chart helps."""
    for dimension in kpis.DIMENSIONS:
        rows = [
            [r["label"], r["logged"], r["resolved"], r["backlog"]]
            for r in report["breakdowns"][dimension.key]
        ]
        sheet, first = _table(
            workbook,
            f"By {dimension.label.lower()}",
            [dimension.label, "Logged", "Resolved", "Open at end"],
            rows,
        )
        if dimension.key in ("town", "site", "category", "priority"):
            _bar(
                sheet,
                first,
                len(rows),
                title=f"Tickets logged per {dimension.label.lower()}",
                value_column=2,
                anchor="G2",
            )


def _top_services_sheet(workbook, report: dict) -> None:
    rows = [[r["label"], r["logged"], r["resolved"], r["backlog"]] for r in report["top_services"]]
    sheet, first = _table(workbook, "Top services", ["Service", "Logged", "Resolved", "Open at end"], rows)
    _bar(sheet, first, len(rows), title="Services with most tickets", value_column=2, anchor="G2")


def _sla_sheets(workbook, report: dict) -> None:
    """SLA compliance by priority, site and support group."""
    sla_header = [
        "Response met",
        "Responses measured",
        "Response met (%)",
        "Resolution met",
        "Resolutions measured",
        "Resolution met (%)",
    ]
    for key, name in (("by_priority", "Priority"), ("by_site", "Site"), ("by_group", "Group")):
        rows = [
            [
                r["label"],
                r["response_met"],
                r["response_total"],
                r["response_compliance"],
                r["resolution_met"],
                r["resolution_total"],
                r["resolution_compliance"],
            ]
            for r in report["sla"][key]
        ]
        sheet, first = _table(workbook, f"SLA by {name.lower()}", [name, *sla_header], rows)
        _bar(
            sheet,
            first,
            len(rows),
            title=f"Resolution SLA met per {name.lower()} (%)",
            value_column=7,
            anchor="J2",
        )


def _operational_sheet(workbook, report: dict) -> None:
    """OLAs and underpinning contracts: what each group and supplier promised for its holdings."""
    rows = [
        [
            r["label"],
            r["kind"],
            r["held_by"],
            r["response_met"],
            r["response_total"],
            r["response_compliance"],
            r["resolution_met"],
            r["resolution_total"],
            r["resolution_compliance"],
            r["resolution_mean_hours"],
            r["overdue_at_end"],
        ]
        for r in report.get("operational", [])  # runs stored before OLAs were reported have none
    ]
    _table(
        workbook,
        "OLAs and contracts",
        [
            "Agreement",
            "Kind",
            "Held by",
            "Taken in time",
            "Takes measured",
            "Taken in time (%)",
            "Resolved or handed on in time",
            "Holdings measured",
            "In time (%)",
            "Mean hours held",
            "Overdue at end",
        ],
        rows,
        note=(
            "What each support group (OLA) and supplier (underpinning contract) promised the service desk "
            "for the time it held a ticket, apart from the SLA; sheet Definitions says how it is counted."
        ),
    )


def _availability_sheets(workbook, report: dict) -> None:
    """Availability per site, link and service, and the month's outages (runs stored before availability
    was reported have none)."""
    found = report.get("availability")
    if not found:
        return
    header = ["Name", "Kind", "Town", "Available (%)", "Agreed hours", "Hours down", "Failures"]
    header += ["MTBF (hours)", "MTTR (hours)", "Load-shedding hours"]
    rows = [
        [
            r["name"],
            r["kind"],
            r["town"],
            r["availability_percent"],
            r["agreed_hours"],
            r["down_hours"],
            r["failures"],
            r["mtbf_hours"],
            r["mttr_hours"],
            r["load_shedding_hours"],
        ]
        for group in ("sites", "links", "services")
        for r in found[group]
    ]
    sheet, first = _table(
        workbook,
        "Availability",
        header,
        rows,
        note=(
            "Agreed hours: business hours for sites and services, every hour for links; down: load-shedding "
            "and unplanned outages (planned work not counted), overlapping outages once."
        ),
    )
    suppliers = found.get("suppliers") or []  # runs stored before the supplier figures have none
    if suppliers:
        below = first + len(rows) + 2
        _write(
            sheet, below, ["Per supplier: outages restored within the underpinning contract's restore time"]
        )
        _write(
            sheet,
            below + 1,
            [
                "Supplier",
                "Contract",
                "Outages",
                "Restored",
                "Within restore time",
                "Not within",
                "Still open",
            ],
            bold=True,
            fill=HEADER_FILL,
        )
        for offset, r in enumerate(suppliers, start=2):
            values = [r["supplier"], r["contract"], r["outages"], r["restored"], r["restore_met"]]
            _write(sheet, below + offset, [*values, r["restore_missed"], r["still_open"]])
    _table(
        workbook,
        "Outages",
        ["Reference", "Outage", "Kind", "Cause", "Supplier", "Started", "Ended", "Hours", "Major incident"],
        [
            [
                o["reference"],
                o["title"],
                o["kind"],
                o["cause"],
                o["supplier"],
                _dt(o["started_at"]),
                _dt(o["ended_at"]),
                o["hours"],
                o["major_incident"],
            ]
            for o in found["outages"]
        ],
        note="Outages recorded in the month; load-shedding windows count per site (sheet Availability).",
    )


def _technicians_sheet(workbook, report: dict) -> None:
    rows = [
        [
            r["label"],
            r["resolved"],
            r["backlog"],
            r["first_contact"],
            r["resolution_met"],
            r["resolution_measured"],
            r["resolution_compliance"],
        ]
        for r in report["technicians"]
    ]
    _table(
        workbook,
        "Technicians",
        [
            "Technician",
            "Resolved",
            "Open at end",
            "First contact",
            "Resolution met",
            "Resolutions measured",
            "Resolution met (%)",
        ],
        rows,
    )


def _ticket_sheets(workbook, report: dict) -> None:
    """The oldest open tickets, the major incidents and the breached tickets, a row each."""
    ticket_header = [
        "Ticket",
        "Summary",
        "Priority",
        "Status",
        "Site",
        "Service",
        "Group",
        "Assigned to",
        "Logged",
    ]

    def ticket_cells(r):
        return [
            r["reference"],
            r["summary"],
            r["priority"],
            r["status"],
            r["site"],
            r["service"],
            r["group"],
            r["assignee"],
            _dt(r["created_at"]),
        ]

    _table(
        workbook,
        "Oldest open",
        [*ticket_header, "Age (days)"],
        [[*ticket_cells(r), r["age_days"]] for r in report["oldest_open"]],
    )
    _table(
        workbook,
        "Major incidents",
        [*ticket_header, "Resolved", "Linked tickets", "Resolution (business h)", "Breached"],
        [
            [
                *ticket_cells(r),
                _dt(r["resolved_at"]),
                r["linked_tickets"],
                r["resolution_hours"],
                r["breached"],
            ]
            for r in report["major_incidents"]
        ],
    )
    annex = report.get("breached", {"rows": [], "truncated": False})
    _table(
        workbook,
        "Breached tickets",
        [
            *ticket_header,
            "Resolved",
            "Response breached",
            "Resolution breached",
            "Overdue at month end",
            "Resolution (business h)",
            "Target (business h)",
        ],
        [
            [
                *ticket_cells(r),
                _dt(r["resolved_at"]),
                r["response_breached"],
                r["resolution_breached"],
                r["overdue"],
                r["resolution_hours"],
                r["target_hours"],
            ]
            for r in annex["rows"]
        ],
        note=f"First {len(annex['rows'])} breached tickets only." if annex["truncated"] else "",
    )


# --- the chapters on self-help, problems and changes: a sheet each ---------------------------------------


def _block(sheet, row: int, title: str, header: list[str], rows: list[list], *, empty: str = "") -> int:
    """One titled table on a sheet of several, from `row`; returns the first row free after it (and a
    blank line). The header is at row + 1."""
    _write(sheet, row, [title], bold=True)
    _write(sheet, row + 1, header, bold=True, fill=HEADER_FILL)
    for offset, values in enumerate(rows, start=2):
        _write(sheet, row + offset, values)
    if not rows and empty:
        _write(sheet, row + 2, [empty])
        return row + 4
    return row + len(rows) + 3


def _widths(sheet, widths: list[int]) -> None:
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def _trend_block(sheet, row: int, report: dict, columns: list[tuple[str, str]], *, chart: str) -> int:
    """The month against the earlier months of the Trend sheet (from the first month with tickets), with a
    native line chart of the first figure to the right. Absent from runs built before it was kept."""
    trend = report.get("section_trend")
    if not trend:
        return row
    months = trend[_first_trend_month(report) :]
    rows = [[month["label"], *(month[key] for key, _ in columns)] for month in months]
    end = _block(sheet, row, "Against earlier months", ["Month", *(name for _, name in columns)], rows)
    line = LineChart()
    line.title = chart
    line.legend = None
    line.add_data(
        Reference(sheet, min_col=2, min_row=row + 1, max_row=row + 1 + len(rows)), titles_from_data=True
    )
    line.set_categories(Reference(sheet, min_col=1, min_row=row + 2, max_row=row + 1 + len(rows)))
    line.height, line.width = 7, 14
    sheet.add_chart(line, f"{get_column_letter(len(columns) + 3)}{row}")
    return end


def _self_help_sheet(workbook, report: dict) -> None:
    """Chapter 7: the calls the help articles saved, the words searched in vain, and the earlier months."""
    figures = self_help_of(report)
    sheet = workbook.create_sheet("Self-help")
    _write(sheet, 1, ["Self-help: calls the help articles saved"], bold=True)
    _write(sheet, 2, ["Sheet Definitions says how each figure is counted."])
    share = None if figures.helpful_share is None else round(100 * figures.helpful_share, 1)
    row = _block(
        sheet,
        4,
        report["period"]["long_label"],
        ["Figure", "Value"],
        [
            ["Tickets not logged: a help article answered (deflections)", figures.deflections],
            ["Help articles sent in the desk's replies", figures.used_in_replies],
            ["“Did this help?”: yes", figures.helpful_yes],
            ["“Did this help?”: no", figures.helpful_no],
            ["“Did this help?”: share yes (%)", share],
            ["Articles due for review", figures.due_for_review],
        ],
    )
    row = _block(
        sheet,
        row,
        "Most searched words with no article (what to write next)",
        ["Words searched", "Times"],
        [[words, times] for words, times in figures.unanswered_searches],
        empty="None this month.",
    )
    _trend_block(
        sheet,
        row,
        report,
        [("deflections", "Tickets not logged (deflections)"), ("articles_in_replies", "Articles in replies")],
        chart="Tickets not logged: a help article answered",
    )
    _widths(sheet, [58, 16, 20])


def _problems_sheet(workbook, report: dict) -> None:
    """Chapter 9: problems and the improvement register, with the faults and actions row by row."""
    found = report.get("problems")
    if not found:
        return  # a run built before problem management was reported
    sheet = workbook.create_sheet("Problems")
    _write(
        sheet,
        1,
        ["Problems and improvements (the whole service desk, whatever the report's scope)"],
        bold=True,
    )
    _write(sheet, 2, ["Sheet Definitions says how each figure is counted."])
    improvements = found["improvements"]
    row = _block(
        sheet,
        4,
        report["period"]["long_label"],
        ["Figure", "Value"],
        [
            ["Problems opened", found["opened"]],
            ["Problems resolved", found["resolved"]],
            ["Incidents logged in the period linked to a problem", found["linked_incidents"]],
            ["Improvement actions due in the period", improvements["due"]],
            ["Improvement actions done in the period", improvements["done"]],
            ["Improvement actions overdue at its end", improvements["overdue"]],
        ],
    )
    row = _block(
        sheet,
        row,
        "Top recurring faults",
        ["Problem", "Summary", "Service", "Status", "Root cause", "Incidents in the period"],
        [
            [
                r["reference"],
                r["summary"],
                r["service"],
                r["status"],
                r["root_cause_category"] or "not found yet",
                r["incidents"],
            ]
            for r in found["top_faults"]
        ],
        empty="No incident of the period was linked to a problem.",
    )
    row = _block(
        sheet,
        row,
        "Improvement actions due, done or overdue",
        ["Action", "What", "Owner", "Due", "Status", "Overdue at the end", "Outcome"],
        [
            [
                r["reference"],
                r["what"],
                r["owner"],
                date.fromisoformat(r["due_on"]),
                r["status"],
                r["overdue"],
                r["outcome"],
            ]
            for r in found["actions"]
        ],
        empty="No improvement action was due, done or overdue in the period.",
    )
    for cells in sheet.iter_rows(min_col=4, max_col=4):
        for cell in cells:
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    _trend_block(
        sheet,
        row,
        report,
        [
            ("problems_opened", "Problems opened"),
            ("problems_resolved", "Problems resolved"),
            ("linked_incidents", "Incidents linked"),
            ("improvements_due", "Actions due"),
            ("improvements_done", "Actions done"),
            ("improvements_overdue", "Actions overdue"),
        ],
        chart="Problems opened per month",
    )
    _widths(sheet, [48, 48, 24, 14, 16, 14, 40])


def _changes_sheet(workbook, report: dict) -> None:
    """Chapter 10: changes by type and outcome, and one row per change carried out in the period."""
    found = report.get("change_management")
    if not found:
        return  # a run built before change management was reported
    sheet = workbook.create_sheet("Changes")
    _write(sheet, 1, ["Changes (the whole municipality's, whatever the report's scope)"], bold=True)
    _write(sheet, 2, ["Sheet Definitions says how each figure is counted."])
    row = _block(
        sheet,
        4,
        report["period"]["long_label"],
        ["Figure", "Value"],
        [
            ["Changes carried out", found["implemented"]],
            ["Succeeded (with or without issues)", found.get("succeeded")],
            ["Success rate (%)", found["success_rate"]],
            ["Emergency changes", found.get("emergency_count")],
            ["Changes that caused incidents", found.get("caused_count")],
            ["Incidents caused by changes", found.get("caused_incidents_count")],
            ["Changes in critical periods", found.get("in_critical_count")],
        ],
    )
    row = _block(
        sheet,
        row,
        "By type and outcome",
        ["Type", "Carried out", "Successful", "With issues", "Failed", "Backed out"],
        [
            [r["type"], r["implemented"], r["successful"], r["with_issues"], r["failed"], r["backed_out"]]
            for r in found["by_type"]
        ],
    )
    every = found.get("changes")
    header = ["Change", "Summary", "Type", "Risk", "Services", "Sites", "Planned start", "Planned end"]
    header += ["Carried out", "Implementer", "Outcome", "Succeeded", "Emergency approved after the fact"]
    header += ["Incidents caused", "In a critical period", "Justification", "Review"]
    if every is None:
        _write(
            sheet, row, ["This report was built before each change was listed: the PDF's chapter lists them."]
        )
        row += 2
    else:
        row = _block(
            sheet,
            row,
            "Every change carried out in the period",
            header,
            [
                [
                    c["reference"],
                    c["summary"],
                    c["type"],
                    c["risk"],
                    c["services"],
                    c["sites"],
                    _dt(c["planned_start"]),
                    _dt(c["planned_end"]),
                    _dt(c["implemented_at"]),
                    c["implementer"],
                    c["outcome"],
                    c["succeeded"],
                    c["approved_after"],  # empty for a change that is not an emergency
                    c["incidents"],
                    c["in_critical_period"],
                    " / ".join(c["justifications"]),
                    c["review"],
                ]
                for c in every
            ],
            empty="No change was carried out in the period.",
        )
    _trend_block(
        sheet,
        row,
        report,
        [
            ("changes_implemented", "Carried out"),
            ("change_success_rate", "Success rate (%)"),
            ("emergency_changes", "Emergency"),
            ("changes_causing_incidents", "Caused incidents"),
            ("changes_in_critical_periods", "In critical periods"),
        ],
        chart="Changes carried out per month",
    )
    _widths(sheet, [36, 44, 12, 10, 28, 28, 17, 17, 17, 20, 18, 11, 14, 10, 10, 44, 44])
    sheet.freeze_panes = None


def _commentary_sheet(workbook, commentary: dict) -> None:
    _table(
        workbook,
        "Commentary",
        ["Section", "Commentary"],
        [[title, (commentary or {}).get(key, "")] for key, title in SECTIONS.items()],
    )


def build_xlsx(report: dict, *, commentary: dict, run=None) -> bytes:
    """A workbook with a sheet per table, numbers stored as numbers and native Excel charts."""
    workbook = Workbook()
    _summary_sheet(workbook, report, run)
    _trend_sheet(workbook, report)
    _breakdown_sheets(workbook, report)
    _top_services_sheet(workbook, report)
    _sla_sheets(workbook, report)
    _operational_sheet(workbook, report)
    _availability_sheets(workbook, report)
    _technicians_sheet(workbook, report)
    _self_help_sheet(workbook, report)
    _ticket_sheets(workbook, report)
    _problems_sheet(workbook, report)
    _changes_sheet(workbook, report)
    _commentary_sheet(workbook, commentary)
    _definitions_sheet(workbook, report)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- CSV of the month's tickets ----------------------------------------------------------------------

CSV_HEADER = [
    "reference",
    "kind",
    "summary",
    "status_when_built",
    "priority",
    "channel",
    "town",
    "site",
    "service_category",
    "service",
    "group",
    "assignee",
    "logged_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "resolution_code",
    "first_contact",
    "reopen_count",
    "handovers",
    "major_incident",
    "response_sla",
    "resolution_sla",
    "resolution_business_hours",
    "rating",
    "logged_in_month",
    "resolved_in_month",
    "open_at_month_end",
]


def _clock(kind: str) -> FilteredRelation:
    """The ticket's clock of one kind, joined in: at most one (slas' sla_clock_one_per_kind)."""
    return FilteredRelation("sla_clocks", condition=Q(sla_clocks__kind=kind))


def _flag(q: Q) -> Case:
    return Case(When(q, then=Value(True)), default=Value(False))


def _sla_word(state: str | None, outcome: str | None) -> str:
    """The clock's outcome (slas.outcomes) in the CSV's words: met / breached for a stopped clock;
    running / paused, with "(past due)" once its target ran out."""
    if state is None:
        return ""
    if outcome == Outcome.OVERDUE:
        return f"{state} (past due)"
    return outcome if outcome in (Outcome.MET, Outcome.BREACHED) else state


# _sla_word for every state and outcome a clock has, looked up rather than worked out on each row.
SLA_WORDS = {
    (state, outcome): _sla_word(state, outcome)
    for state in (None, *ClockState.values)
    for outcome in (None, *(name for name, _ in OUTCOMES), FALLBACK)
}


def _local(moment: datetime | None) -> str:
    """2026-10-31 16:30 in South African time ("YYYY-MM-DD HH:MM"; isoformat is faster than strftime)."""
    return moment.astimezone(TZ).isoformat(" ", "minutes")[:16] if moment else ""


# The CSV's columns read from the database, in this order (one query, plain tuples: no model instances).
CSV_COLUMNS = (
    "pk",
    "kind",
    "summary",
    "status",
    "priority",
    "channel",
    "site__town",
    "site__name",
    "service__category__name",
    "service__name",
    "group__name",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__username",
    "created_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "resolution_code",
    "first_contact",
    "reopen_count",
    "handovers",
    "is_major",
    "response_clock__state",
    "response_outcome",
    "resolution_clock__state",
    "resolution_outcome",
    "resolution_clock__elapsed_seconds",
    "rating__score",
    "in_logged",
    "in_resolved",
    "in_open",
)


def build_tickets_csv(period: Period, scope: kpis.Scope = kpis.ALL) -> bytes:
    """Every ticket logged, resolved or closed in the month, or open at its end, one row each, with
    the flags that let a spreadsheet recount the report's figures. Formula-safe (write_csv). Status and
    SLA columns are as they stand when the file is built.

    One query: the ticket's response and resolution clocks are two LEFT JOINs (not a subquery per
    column), and the rows are plain tuples (docs/performance.md, "The report build")."""
    built_at = timezone.now()
    logged, resolved = kpis.logged_q(period), kpis.resolved_q(period)
    open_at_end = kpis.open_at_q(period.end)
    rows = (
        scope.tickets(Ticket.objects.all())
        .filter(logged | resolved | kpis.closed_q(period) | open_at_end)
        .alias(response_clock=_clock(ClockKind.RESPONSE), resolution_clock=_clock(ClockKind.RESOLUTION))
        .annotate(
            in_logged=_flag(logged),
            in_resolved=_flag(resolved),
            in_open=_flag(open_at_end),
            response_outcome=clock_outcome_case(built_at, via="response_clock__"),
            resolution_outcome=clock_outcome_case(built_at, via="resolution_clock__"),
        )
        .order_by("created_at", "pk")
        .values_list(*CSV_COLUMNS)
    )
    buffer = io.StringIO()
    with kpis._without_jit():  # compiling these aggregates costs more than running them
        write_csv(buffer, CSV_HEADER, _ticket_rows(rows.iterator(chunk_size=2000)))
    return buffer.getvalue().encode("utf-8")


def _ticket_rows(rows):
    """The CSV's cells of each ticket (write_csv makes each one formula-safe and quotes the text)."""
    sla_words, yes_no = SLA_WORDS, ("no", "yes")
    for (
        pk,
        kind,
        summary,
        status,
        priority,
        channel,
        town,
        site,
        category,
        service,
        group,
        first_name,
        last_name,
        username,
        created_at,
        first_response_at,
        resolved_at,
        closed_at,
        resolution_code,
        first_contact,
        reopen_count,
        handovers,
        is_major,
        response_state,
        response_outcome,
        resolution_state,
        resolution_outcome,
        resolution_seconds,
        score,
        in_logged,
        in_resolved,
        in_open,
    ) in rows:
        yield (
            reference_for(kind, pk),
            kind,
            summary,
            status,
            f"P{priority}",
            channel,
            town,
            site,
            category,
            service,
            group,
            (f"{first_name} {last_name}".strip() or username) if username is not None else "",
            _local(created_at),
            _local(first_response_at),
            _local(resolved_at),
            _local(closed_at),
            resolution_code,
            yes_no[first_contact],
            reopen_count,
            handovers,
            yes_no[is_major],
            sla_words.get((response_state, response_outcome)) or _sla_word(response_state, response_outcome),
            sla_words.get((resolution_state, resolution_outcome))
            or _sla_word(resolution_state, resolution_outcome),
            round(resolution_seconds / 3600, 2) if resolution_state == "stopped" else "",
            "" if score is None else score,
            yes_no[in_logged],
            yes_no[in_resolved],
            yes_no[in_open],
        )
