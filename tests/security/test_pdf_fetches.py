"""Item 13: ticket text and commentary carrying <img src="http://127.0.0.1:PORT/..."> and file:///etc/passwd,
rendered into the ManCo report's PDF, make no request and read no file.

A real HTTP server listens on 127.0.0.1 in a thread and counts what reaches it; every file the process
opens while the PDF is drawn is recorded. Checked twice: through the real report build (the template
escapes the text, first lock), and with raw markup handed straight to the renderer (the URL fetcher that
loads only our static files, second lock).
"""

from __future__ import annotations

import builtins
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from incidents import services as ticket_services
from incidents.models import Ticket
from reports import documents, kpis
from reports import services as report_services
from reports.models import ReportRun
from reports.periods import month_period
from tests.factories import TicketFactory

from .conftest import PNG

pytestmark = pytest.mark.django_db

SECRET_FILES = ("/etc/passwd", "/etc/shadow", "/etc/hostname", "/proc/self/environ")


@pytest.fixture
def listener():
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(PNG)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()
    server.server_close()


@pytest.fixture
def opened(monkeypatch):
    """Every path opened with open() while the test runs."""
    paths = []
    real_open = builtins.open

    def spy(file, *args, **kwargs):
        paths.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy)
    return paths


def hostile_markup(base: str) -> str:
    return (
        f'<img src="{base}/img.png"><img src="file:///etc/passwd">'
        f'<link rel="stylesheet" href="{base}/style.css"><link rel="stylesheet" href="file:///etc/shadow">'
        f'<p style="background: url({base}/bg.png)">x</p><iframe src="file:///proc/self/environ"></iframe>'
        f'<object data="{base}/object"></object><svg><image href="{base}/svg.png"/></svg>'
        f"<style>@import url({base}/import.css); @font-face {{src: url({base}/font.ttf)}}</style>"
    )


def test_the_report_build_fetches_nothing_that_ticket_text_names(world, listener, opened):
    base, hits = listener
    markup = hostile_markup(base)
    ticket = TicketFactory(
        requester=world.attacker,
        service=world.own_ticket.service,
        summary=markup[:200],
        description=markup,
        impact="high",
        urgency="high",
    )
    ticket_services.ticket_comment(
        ticket=ticket, by=world.attacker, body=markup, files=[SimpleUploadedFile("x.png", PNG)]
    )
    Ticket.objects.filter(pk=ticket.pk).update(is_major=True)
    run = ReportRun.objects.create(
        month=timezone.localdate().replace(day=1), version=9, commentary={"summary": markup}
    )
    assert report_services.report_run_build(run_id=run.pk), ReportRun.objects.get(pk=run.pk).error
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE and run.pdf
    assert hits == []
    assert [p for p in opened if p.startswith(SECRET_FILES)] == []


def test_even_raw_markup_reaching_the_renderer_fetches_nothing(world, listener, opened, monkeypatch):
    """The second lock on its own: the escaping is bypassed and the markup goes to WeasyPrint as HTML."""
    base, hits = listener
    period = month_period(timezone.localdate().replace(day=1))
    report = kpis.month_report(period, include_annex=True)
    monkeypatch.setattr(
        documents, "render_to_string", lambda *a, **k: f"<html><body>{hostile_markup(base)}</body></html>"
    )
    pdf = documents.build_pdf(report, commentary={})
    assert pdf.startswith(b"%PDF")
    assert hits == []
    assert [p for p in opened if p.startswith(SECRET_FILES)] == []


def test_the_listener_would_have_seen_a_fetch(listener):
    """The control: WeasyPrint with its default fetcher does reach the listener, so an empty list above
    means the project's fetcher refused, not that the server was unreachable."""
    from weasyprint import HTML

    base, hits = listener
    HTML(string=f'<img src="{base}/control.png">').write_pdf()
    assert hits == ["/control.png"]
