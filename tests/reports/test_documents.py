"""The PDF renderer reads our own static files and nothing else; the charts escape what they draw."""

import socket
from pathlib import Path

import pytest
from django.conf import settings

from reports import charts, documents
from tests.reports.scenario import OCTOBER

# Chapter 7, self-help, is new (issue 19); Annex B's problem and change definitions take a twelfth page.
EXPECTED_PAGES = 12  # October's pack: test_the_pdf_defines_its_figures_titles_its_charts_...

pytestmark = pytest.mark.django_db


def test_only_our_static_files_are_allowed():
    css = documents.static_url("reports/report-print.css")
    assert (
        documents.allowed_static_path(css)
        == Path(settings.BASE_DIR, "static/reports/report-print.css").resolve()
    )
    for url in (
        "file:///etc/passwd",
        Path(settings.BASE_DIR, "servicedesk/settings.py").resolve().as_uri(),
        Path(settings.BASE_DIR, "static/reports/../../servicedesk/settings.py").as_uri(),
        "http://127.0.0.1:8000/static/reports/report-print.css",
        "https://example.com/logo.png",
        "data:text/html,<b>x</b>",
        "ftp://example.com/x",
        "file://evil.example/etc/passwd",
    ):
        assert documents.allowed_static_path(url) is None, url


def test_the_fetcher_refuses_everything_else_and_never_opens_a_socket(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the PDF renderer tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    fetcher = documents._fetcher()
    body = fetcher.fetch(documents.static_url("reports/report-print.css")).read()
    assert b"@page" in body
    for url in (
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "data:image/png;base64,AAAA",
    ):
        with pytest.raises(PermissionError):
            fetcher.fetch(url)


def test_a_pdf_with_hostile_urls_fetches_none_of_them(monkeypatch):
    from weasyprint import HTML

    fetched = []
    fetcher = documents._fetcher()
    real = fetcher.fetch

    def spy(url, headers=None):
        fetched.append(url)
        return real(url, headers)

    monkeypatch.setattr(fetcher, "fetch", spy)
    monkeypatch.setattr(
        socket.socket, "connect", lambda *a, **k: (_ for _ in ()).throw(AssertionError("network"))
    )
    html = (
        '<link rel="stylesheet" href="file:///etc/passwd"><img src="http://127.0.0.1:9/x.png">'
        '<img src="file:///etc/shadow"><p style="background: url(https://example.com/t.png)">x</p>'
    )
    pdf = HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()
    assert pdf.startswith(b"%PDF")
    assert set(fetched) >= {"file:///etc/passwd", "http://127.0.0.1:9/x.png"}  # asked, and refused


def test_ticket_text_is_escaped_in_the_pdf_html(scenario):
    from incidents.models import Ticket
    from reports import kpis
    from reports.periods import month_period
    from tests.reports import scenario as answers

    Ticket.objects.filter(pk=scenario.pk("T5")).update(summary='<img src="http://evil.example/x.png">')
    report = kpis.month_report(month_period(answers.OCTOBER), include_annex=True)
    from django.template.loader import render_to_string

    html = render_to_string(
        "reports/report_pdf.html", documents.pdf_context(report, commentary={"summary": "<script>x</script>"})
    )
    assert "evil.example" in html and '<img src="http://evil.example' not in html
    assert "<script>x</script>" not in html


def test_charts_escape_labels_and_draw_missing_values_as_gaps():
    svg = charts.bar_chart(["<script>alert(1)</script>", "Willowvale"], [3, None], title="Per <site>")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert svg.startswith("<svg") and "Per &lt;site&gt;" in svg
    line = charts.line_chart(
        ["May", "Jun", "Jul"], [("Resolution", [50.0, None, 80.0])], title="SLA", unit="percent"
    )
    assert line.count("<circle") == 2 and "<line x1" in line  # grid lines, no segment across the gap
    assert "80%" in line


def test_pdf_unavailable_is_said_in_words(monkeypatch, manager_user, signed_in):
    from django.urls import reverse

    monkeypatch.setattr(documents, "pdf_unavailable", lambda: documents.PANGO_HELP)
    page = signed_in(manager_user).get(reverse("reports:runs")).content.decode()
    assert "libpango-1.0-0" in page
    with pytest.raises(RuntimeError, match="libpango"):
        documents.build_pdf({}, commentary={})


def _report_with_breached(scenario, count: int, *, truncated: bool) -> dict:
    from reports import kpis
    from reports.periods import month_period
    from tests.reports import scenario as answers

    report = kpis.month_report(month_period(answers.OCTOBER), include_annex=True)
    template = report["breached"]["rows"][0]
    rows = [{**template, "reference": f"INC-{n:06d}"} for n in range(1, count + 1)]
    report["breached"] = {"rows": rows, "truncated": truncated}
    return report


def _annex_references(html: str) -> list[str]:
    import re

    annex = html.split("Annex A.", 1)[1].split("Annex B.", 1)[0]
    return re.findall(r"<td>(INC-\d{6})</td>", annex)


def test_the_pdf_annex_prints_the_first_rows_and_says_how_many_more_the_xlsx_has(scenario):
    import io

    from django.template.loader import render_to_string
    from openpyxl import load_workbook

    report = _report_with_breached(scenario, documents.PDF_ANNEX_ROWS + 57, truncated=False)
    html = render_to_string("reports/report_pdf.html", documents.pdf_context(report, commentary={}))
    listed = _annex_references(html)
    assert listed == [f"INC-{n:06d}" for n in range(1, documents.PDF_ANNEX_ROWS + 1)]  # the snapshot's order
    assert "And 57 more breached tickets: see the XLSX." in html

    book = load_workbook(io.BytesIO(documents.build_xlsx(report, commentary={})))
    in_xlsx = [row[0] for row in book["Breached tickets"].iter_rows(min_row=2, values_only=True) if row[0]]
    assert len(in_xlsx) == documents.PDF_ANNEX_ROWS + 57  # the XLSX keeps every one


def test_a_snapshot_annex_that_stopped_at_its_limit_says_there_are_more_still(scenario):
    from django.template.loader import render_to_string

    report = _report_with_breached(scenario, 1000, truncated=True)
    html = render_to_string("reports/report_pdf.html", documents.pdf_context(report, commentary={}))
    assert len(_annex_references(html)) == documents.PDF_ANNEX_ROWS
    assert (
        "And more than 800 more breached tickets: see the XLSX (the first 1000) and the CSV (every one)."
        in html
    )


def test_a_short_annex_is_printed_whole_without_a_more_line(scenario):
    from django.template.loader import render_to_string

    report = _report_with_breached(scenario, 3, truncated=False)
    html = render_to_string("reports/report_pdf.html", documents.pdf_context(report, commentary={}))
    assert len(_annex_references(html)) == 3
    assert "more breached ticket" not in html and "The first 3 are listed here" not in html


def test_the_print_stylesheet_lays_tables_out_fixed():
    """Automatic table layout measured every cell twice: 43 % of the PDF's time (docs/performance.md)."""
    css = Path(documents.allowed_static_path(documents.static_url("reports/report-print.css"))).read_text()
    assert "table-layout: fixed" in css


# --- the CSV of the month's tickets ---------------------------------------------------------------------


def _csv_row_from_the_models(ticket, period, at) -> list[str]:
    """One CSV row worked out from the ticket's model instances, clock by clock (how build_tickets_csv
    did it before it read plain tuples with the clocks joined in): the oracle for the query."""
    from incidents.models import SatisfactionRating, Ticket
    from reports import kpis
    from reports.periods import TZ

    def local(moment):
        return moment.astimezone(TZ).strftime("%Y-%m-%d %H:%M") if moment else ""

    def sla(clock):
        if clock is None:
            return ""
        if clock.state == "stopped":
            return "breached" if clock.breached_at else "met"
        late = clock.breached_at is not None or (
            clock.state == "running" and clock.due_at is not None and clock.due_at <= at
        )
        return f"{clock.state} (past due)" if late else clock.state

    def within(q) -> str:
        return "yes" if Ticket.objects.filter(q, pk=ticket.pk).exists() else "no"

    clocks = {clock.kind: clock for clock in ticket.sla_clocks.all()}
    response, resolution = clocks.get("response"), clocks.get("resolution")
    rating = SatisfactionRating.objects.filter(ticket=ticket).first()
    assignee = ticket.assignee
    return [
        str(cell)
        for cell in [
            ticket.reference,
            ticket.kind,
            ticket.summary,
            ticket.status,
            f"P{ticket.priority}",
            ticket.channel,
            ticket.site.town,
            ticket.site.name,
            ticket.service.category.name,
            ticket.service.name,
            ticket.group.name if ticket.group else "",
            (assignee.get_full_name() or assignee.username) if assignee else "",
            local(ticket.created_at),
            local(ticket.first_response_at),
            local(ticket.resolved_at),
            local(ticket.closed_at),
            ticket.resolution_code,
            "yes" if ticket.first_contact else "no",
            ticket.reopen_count,
            ticket.handovers,
            "yes" if ticket.is_major else "no",
            sla(response),
            sla(resolution),
            round(resolution.elapsed_seconds / 3600, 2)
            if resolution and resolution.state == "stopped"
            else "",
            rating.score if rating else "",
            within(kpis.logged_q(period)),
            within(kpis.resolved_q(period)),
            within(kpis.open_at_q(period.end)),
        ]
    ]


def test_the_tickets_csv_says_what_the_models_say(scenario):
    """Every row of the month's CSV (one query over plain tuples, the clocks joined in) equals the row
    worked out from the model instances, for each ticket of the scenario's October: reopened (T4),
    rated and not, assigned and not, clocks met, breached, paused, running past due, withdrawn."""
    import csv
    import io

    from django.utils import timezone

    from incidents.models import Ticket
    from reports import kpis
    from reports.periods import month_period
    from tests.reports import scenario as answers

    period = month_period(answers.OCTOBER)
    Ticket.objects.filter(pk=scenario.pk("T8")).update(summary="=HYPERLINK(1)", reopen_count=1)
    Ticket.objects.filter(pk=scenario.pk("T5")).update(group=None)
    data = documents.build_tickets_csv(period)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == documents.CSV_HEADER
    wanted = Ticket.objects.filter(
        kpis.logged_q(period) | kpis.resolved_q(period) | kpis.closed_q(period) | kpis.open_at_q(period.end)
    ).order_by("created_at", "pk")
    assert len(rows) - 1 == wanted.count() == 9
    at = timezone.now()
    for row, ticket in zip(rows[1:], wanted, strict=True):
        expected = _csv_row_from_the_models(ticket, period, at)
        expected[2] = "'" + expected[2] if expected[2].startswith("=") else expected[2]
        assert row == expected, ticket.reference
    words = {row[21] for row in rows[1:]} | {row[22] for row in rows[1:]}
    assert {"met", "breached", "running (past due)"} <= words


def test_the_sla_words_looked_up_are_the_ones_worked_out():
    from slas.models import ClockState

    for state in (None, *ClockState.values):
        for outcome in (None, "met", "breached", "overdue", "running", "paused"):
            assert documents.SLA_WORDS[(state, outcome)] == documents._sla_word(state, outcome)
    assert documents._sla_word("stopped", "breached") == "breached"
    assert documents._sla_word("paused", "overdue") == "paused (past due)"
    assert documents._sla_word("running", "running") == "running"


# --- the pack as the council reads it ----------------------------------------------------------------------


def _pdf_pages(pdf: bytes) -> list[str]:
    import io

    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _page_fill(pdf: bytes) -> list[float]:
    """How far down each page its text reaches (0 empty, 1 full), the footer left out."""
    import io

    from pypdf import PdfReader

    fills = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        height, heights = float(page.mediabox.height), []

        def visit(text, cm, tm, font, size, heights=heights):
            if text.strip():
                heights.append(tm[4] * cm[1] + tm[5] * cm[3] + cm[5])

        page.extract_text(visitor_text=visit)
        body = [y for y in heights if y > 60]  # the footer sits in the bottom 20 mm (57 pt)
        fills.append(round(1 - min(body) / height, 2) if body else 0.0)
    return fills


def _one_line(text: str) -> str:
    """Text with its spaces taken out: the PDF's text extraction puts spaces where kerning moved a
    letter ("T argets"), so text is compared without them."""
    return "".join(text.split())


@pytest.fixture
def october(scenario):
    from reports import kpis
    from reports.periods import month_period

    return kpis.month_report(month_period(OCTOBER), include_annex=True)


def test_the_pdf_defines_its_figures_titles_its_charts_and_names_no_file_of_ours(october):
    from reports import kpis

    pdf = documents.build_pdf(october, commentary={"summary": "Backlog down."})
    pages = _pdf_pages(pdf)
    text = _one_line(" ".join(pages))
    assert "docs/" not in text and ".md" not in text and "kpis" not in text.lower()
    assert "ManCo" in text  # the text is there to be searched
    for name, svg in charts.report_charts(october).items():
        if name in ("by_site", "sla_by_priority"):
            continue  # drawn on the dashboard, not in the PDF
        title = svg.split("<title>", 1)[1].split("</title>", 1)[0].replace("&#x27;", "'")
        assert _one_line(title) in text, name
    first = next(i for i, page in enumerate(pages) if "AnnexB.Howthefiguresarecounted" in _one_line(page))
    annex_b = _one_line(" ".join(pages[first:]))
    for row in kpis.definition_rows(october):
        assert _one_line(row["label"]) in annex_b and _one_line(row["definition"]) in annex_b, row["key"]
    for rule, words in kpis.COUNTING_RULES:
        assert _one_line(rule) in annex_b and _one_line(words) in annex_b
    for words_of in (
        documents.SELF_HELP_DEFINITIONS,
        documents.PROBLEM_DEFINITIONS,
        documents.CHANGE_DEFINITIONS,
    ):
        for name, words in words_of:
            assert _one_line(name) in annex_b and _one_line(words) in annex_b, name

    # Cover, summary, then the chapters and annexes one after the other: none leaves most of a page
    # blank (they were 16 pages of which 3 mostly blank).
    assert len(pages) == EXPECTED_PAGES, [page[:40] for page in pages]
    filled = _page_fill(pdf)
    assert all(share >= 0.5 for share in filled[:-1]), filled


def test_the_xlsx_defines_its_figures_and_names_no_file_of_ours(october):
    import io

    from openpyxl import load_workbook

    from reports import kpis

    book = load_workbook(io.BytesIO(documents.build_xlsx(october, commentary={})))
    cells = [
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    ]
    assert not [cell for cell in cells if "docs/" in cell or ".md" in cell]
    definitions = {row[0]: row[1:] for row in book["Definitions"].iter_rows(values_only=True) if row[0]}
    for row in kpis.definition_rows(october):
        assert definitions[row["label"]][:2] == (row["definition"], row["tickets"])
    for rule, words in kpis.COUNTING_RULES:
        assert definitions[rule][0] == words
    for sheet in book.worksheets:
        for chart in sheet._charts:
            assert chart.title is not None, sheet.title
    assert book.sheetnames[:2] == ["Summary", "Definitions"]
    months = [row[0] for row in book["Trend"].iter_rows(min_row=2, values_only=True)]
    assert months == ["Sep 2026", "Oct 2026"]  # from the first month with tickets, as the PDF's charts
