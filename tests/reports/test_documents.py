"""The PDF renderer reads our own static files and nothing else; the charts escape what they draw."""

import socket
from pathlib import Path

import pytest
from django.conf import settings

from reports import charts, documents

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
