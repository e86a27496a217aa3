"""The monthly report: a run built end to end by its task, its files, commentary, sign-off, versions,
the monthly schedule and the downloads."""

import csv
import io
import re
import zlib
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from common import access as roles
from common.models import Notification
from incidents import services as ticket_services
from reports import documents, services, tasks
from reports.models import ReportRun
from tests.factories import UserFactory
from tests.reports import scenario as answers
from tests.reports.stored import counted

pytestmark = pytest.mark.django_db

FORMULA = "=cmd|' /C calc'!A0"


def pdf_strings(pdf: bytes) -> bytes:
    """The PDF with its compressed streams inflated, to look for the document's own text (its title)."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"".join(parts)


@pytest.fixture
def built(scenario, manager_user, django_capture_on_commit_callbacks):
    """October's report, requested by the manager and built by its task."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = services.report_run_request(month=answers.OCTOBER, by=manager_user)
    assert (run.status, run.version, len(callbacks)) == ("queued", 1, 1)  # the build is queued on commit
    assert tasks.build_report(run.pk) is True
    run.refresh_from_db()
    return run


def test_the_task_builds_the_report_end_to_end(built):
    run = built
    assert (run.status, run.progress, run.error) == ("done", 100, "")
    assert run.snapshot["headline"] == answers.OCTOBER_HEADLINE
    assert run.snapshot["period"]["month"] == "2026-10"

    pdf = run.pdf.read()
    assert pdf.startswith(b"%PDF")
    assert b"October 2026" in pdf_strings(pdf)
    assert run.pdf.name.startswith("reports/2026-10/v1/")

    book = load_workbook(io.BytesIO(run.xlsx.read()))
    summary = book["Summary"]
    values = {row[0]: row[1:4] for row in summary.iter_rows(min_row=8, values_only=True) if row[0]}
    assert values["Tickets logged"] == (8, 2, 6)
    assert isinstance(values["Tickets logged"][0], int)
    assert values["Resolution SLA met"][0] == 83.3
    assert isinstance(values["Mean resolution time"][0], float)
    assert book["Trend"]._charts, "the trend sheet carries native charts"
    assert book["By site"]._charts
    by_site = {row[0]: row[1:] for row in book["By site"].iter_rows(min_row=2, values_only=True)}
    assert by_site == {name: tuple(counts) for name, counts in answers.OCTOBER_BY_SITE.items()}
    breached = [row[0] for row in book["Breached tickets"].iter_rows(min_row=2, values_only=True)]
    assert breached == [run.snapshot["breached"]["rows"][i]["reference"] for i in range(3)]

    rows = list(csv.reader(io.StringIO(run.csv.read().decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header == documents.CSV_HEADER
    assert len(body) == 9  # S2 (resolved in October) and T1-T8
    column = {name: index for index, name in enumerate(header)}
    assert sum(row[column["logged_in_month"]] == "yes" for row in body) == 8
    assert sum(row[column["resolved_in_month"]] == "yes" for row in body) == 6
    assert sum(row[column["open_at_month_end"]] == "yes" for row in body) == 2
    t5 = next(row for row in body if row[column["reference"]] == run.snapshot["oldest_open"][0]["reference"])
    assert (t5[column["resolution_sla"]], t5[column["resolution_business_hours"]]) == (
        "running (past due)",
        "",
    )
    t2 = next(row for row in body if row[column["major_incident"]] == "yes")
    assert (t2[column["response_sla"]], t2[column["resolution_business_hours"]]) == ("breached", "5.0")


def test_the_same_numbers_on_the_dashboard_in_the_files_and_from_the_api(
    quick_pdf, built, manager_user, signed_in
):
    from reports import kpis
    from reports.periods import month_period

    live = kpis.month_report(month_period(answers.OCTOBER), include_annex=True)
    snapshot = dict(built.snapshot)
    assert {k: v for k, v in snapshot.items() if k != "generated_at"} == {
        k: v for k, v in live.items() if k != "generated_at"
    }
    client = signed_in(manager_user)
    dashboard = counted(client, reverse("dashboard"), {"month": "2026-10"}).context["report"]
    api = counted(client, reverse("report-kpis-list"), {"month": "2026-10"}).json()
    for key in ("headline", "details", "previous", "trend", "breakdowns", "sla", "technicians"):
        assert dashboard[key] == snapshot[key] == api[key], key
    book = load_workbook(io.BytesIO(built.xlsx.read()))
    spreadsheet = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=8, values_only=True) if row[0]}
    for row in kpis.headline_rows(snapshot):
        assert spreadsheet[row["label"]] == row["value"], row["key"]


def test_text_that_looks_like_a_formula_stays_text(quick_pdf, built, manager_user, scenario):
    from incidents.models import Ticket

    Ticket.objects.filter(pk=scenario.pk("T8")).update(summary=FORMULA)
    run = _redrawn(services.report_run_comment(run=built, by=manager_user, commentary={"summary": FORMULA}))
    book = load_workbook(io.BytesIO(run.xlsx.read()))
    commentary = {row[0].value: row[1] for row in book["Commentary"].iter_rows(min_row=2)}
    cell = commentary["Executive summary"]
    assert cell.data_type == "s" and cell.value == "'" + FORMULA
    assert not any(
        cell.data_type == "f" for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
    )
    # The CSV (built with the run) writes every cell through common.spreadsheets.safe_cell.
    second = _build(services.report_run_request(month=answers.OCTOBER, by=manager_user))
    rows = list(csv.reader(io.StringIO(second.csv.read().decode("utf-8-sig"))))
    summaries = [row[2] for row in rows[1:]]
    assert "'" + FORMULA in summaries and FORMULA not in summaries


def _build(run: ReportRun) -> ReportRun:
    tasks.build_report(run.pk)
    run.refresh_from_db()
    return run


def _pdf_text(pdf: bytes) -> str:
    """The PDF's text without spaces (extraction puts some where kerning moved a letter)."""
    from pypdf import PdfReader

    return "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def _redrawn(run: ReportRun) -> ReportRun:
    """The run after its queued redraw ran (the worker's part of saving commentary or signing off)."""
    assert tasks.redraw_report(run.pk) is True
    run.refresh_from_db()
    assert not run.files_pending
    return run


def test_a_run_already_done_is_not_built_again(quick_pdf, built):
    names = (built.pdf.name, built.xlsx.name, built.csv.name)
    assert tasks.build_report(built.pk) is False
    built.refresh_from_db()
    assert (built.pdf.name, built.xlsx.name, built.csv.name) == names


def test_commentary_redraws_the_files_and_sign_off_freezes_them(built, manager_user, admin_role_user):
    run = services.report_run_comment(
        run=built, by=manager_user, commentary={"summary": "Backlog down.", "volumes": "Elliotdale busy."}
    )
    assert run.commentary == {"summary": "Backlog down.", "volumes": "Elliotdale busy."}
    run = _redrawn(run)
    assert "Backlogdown." in _pdf_text(run.pdf.read())
    assert run.snapshot["headline"] == answers.OCTOBER_HEADLINE  # the figures never move

    run = _redrawn(services.report_run_sign_off(run=run, by=manager_user))
    assert run.signed_off_by == manager_user and run.signed_off_at is not None
    frozen_files = {
        kind: (getattr(run, kind).name, getattr(run, kind).read()) for kind in ("pdf", "xlsx", "csv")
    }

    with pytest.raises(ValidationError, match=r"signed off by .* and is frozen"):
        services.report_run_comment(run=run, by=admin_role_user, commentary={"summary": "Changed my mind."})
    with pytest.raises(ValidationError, match="frozen"):
        services.report_run_sign_off(run=run, by=admin_role_user)
    assert tasks.build_report(run.pk) is False
    run.refresh_from_db()
    assert run.commentary["summary"] == "Backlog down."
    assert {
        kind: (getattr(run, kind).name, getattr(run, kind).read()) for kind in frozen_files
    } == frozen_files


def test_signed_off_reports_refuse_edits_on_the_page_in_words(quick_pdf, built, manager_user, signed_in):
    client = signed_in(manager_user)
    url = reverse("reports:run_sign_off", args=[built.pk])
    assert client.post(url, {}).status_code == 400  # the box was not ticked
    assert client.post(url, {"confirm": "on"}).status_code == 302
    response = client.post(reverse("reports:run_commentary", args=[built.pk]), {"summary": "Too late"})
    assert response.status_code == 409
    assert "is frozen" in response.content.decode()


def test_a_later_run_is_a_new_version_and_the_tabled_one_keeps_its_numbers(
    quick_pdf, built, manager_user, scenario, frozen, django_capture_on_commit_callbacks
):
    services.report_run_sign_off(run=built, by=manager_user)
    frozen(2026, 11, 4, 9, 0)
    ticket_services.ticket_rate(ticket=scenario.tickets["T6"], by=scenario.staff, score=5)  # a late rating

    with django_capture_on_commit_callbacks(execute=False):
        second = services.report_run_request(month=answers.OCTOBER, by=manager_user)
    second = _build(second)
    built.refresh_from_db()
    assert (built.version, second.version) == (1, 2)
    assert built.snapshot["headline"]["satisfaction_response_rate"] == 50.0  # as tabled
    assert second.snapshot["headline"]["satisfaction_response_rate"] == 66.7  # 4 of 6 now
    assert ReportRun.objects.filter(month=answers.OCTOBER).count() == 2
    assert built.pdf.name != second.pdf.name


def test_requests_that_are_refused(
    scenario, manager_user, technician_user, django_capture_on_commit_callbacks
):
    with pytest.raises(PermissionDenied):
        services.report_run_request(month=answers.OCTOBER, by=technician_user)
    with pytest.raises(ValidationError, match="has not ended"):
        services.report_run_request(month=date(2026, 11, 1), by=manager_user)
    with django_capture_on_commit_callbacks(execute=False):
        first = services.report_run_request(month=answers.OCTOBER, by=manager_user)
    with pytest.raises(ValidationError, match=r"version 1\) is being built"):
        services.report_run_request(month=answers.OCTOBER, by=manager_user)
    assert first.status == "queued"


def test_the_page_builds_a_report_and_shows_its_progress(
    quick_pdf, scenario, manager_user, signed_in, django_capture_on_commit_callbacks
):
    client = signed_in(manager_user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("reports:runs"), {"month": "2026-10"})
    run = ReportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "reports:run_detail", args=[run.pk]
    )
    assert len(callbacks) == 1
    page = client.get(response["Location"]).content.decode()
    assert "run-progress.js" in page and 'data-finished="false"' in page
    progress = client.get(reverse("reports:run_progress", args=[run.pk])).json()
    assert progress == {
        "status": "queued",
        "status_label": "Queued",
        "progress": 0,
        "message": "Waiting for a worker",
        "finished": False,
        "redrawing": False,
        "error": "",
        "stuck": False,
    }
    _build(run)
    assert client.get(reverse("reports:run_progress", args=[run.pk])).json()["finished"] is True
    page = client.get(reverse("reports:run_detail", args=[run.pk])).content.decode()
    assert reverse("reports:run_download", args=[run.pk, "pdf"]) in page


@pytest.mark.parametrize("kind", ["pdf", "xlsx", "csv"])
def test_downloads_are_attachments_for_managers_and_admins_only(
    built, users_by_role, signed_in, client, kind
):
    url = reverse("reports:run_download", args=[built.pk, kind])
    for role in (roles.STAFF, roles.TECHNICIAN):
        assert signed_in(users_by_role[role]).get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302
    for role in (roles.MANAGER, roles.ADMIN):
        response = signed_in(users_by_role[role]).get(url)
        assert response.status_code == 200
        assert (
            response["Content-Disposition"] == f'attachment; filename="mbashe-ict-report-2026-10-v1.{kind}"'
        )
        body = b"".join(response.streaming_content)
        assert body == getattr(built, kind).open("rb").read()
    assert (
        signed_in(users_by_role[roles.MANAGER])
        .get(reverse("reports:run_download", args=[built.pk, "html"]))
        .status_code
        == 404
    )


def test_a_failed_build_says_why_and_can_be_tried_again(
    quick_pdf, scenario, manager_user, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        run = services.report_run_request(month=answers.OCTOBER, by=manager_user)

    def broken(*args, **kwargs):
        raise RuntimeError(documents.PANGO_HELP)

    working = documents.build_pdf
    monkeypatch.setattr(documents, "build_pdf", broken)
    assert tasks.build_report(run.pk) is False
    run.refresh_from_db()
    assert run.status == "failed" and "libpango" in run.error
    assert run.snapshot["headline"] == answers.OCTOBER_HEADLINE  # kept for the next attempt
    monkeypatch.setattr(documents, "build_pdf", working)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.report_run_retry(run=run, by=manager_user)
    assert len(callbacks) == 1
    assert _build(run).status == "done"


def test_a_run_whose_worker_died_is_taken_over_and_a_live_one_is_left(
    quick_pdf, scenario, manager_user, frozen, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    with django_capture_on_commit_callbacks(execute=False):
        run = services.report_run_request(month=answers.OCTOBER, by=manager_user)
    ReportRun.objects.filter(pk=run.pk).update(status="running", heartbeat_at=timezone.now(), build_token="x")
    assert tasks.build_report(run.pk) is False  # another worker is on it
    ReportRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.report_runs_resume() == 1  # the sweep queues it again
    assert len(callbacks) == 1
    assert _build(run).status == "done"


def test_the_sweep_requeues_a_run_nobody_picked_up(
    scenario, manager_user, frozen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        services.report_run_request(month=answers.OCTOBER, by=manager_user)
    assert services.report_runs_resume() == 0  # queued a moment ago: its task is on its way
    frozen(2026, 11, 3, 9, 5)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.report_runs_resume() == 1
    assert len(callbacks) == 1


# --- the monthly schedule --------------------------------------------------------------------------------


def test_the_monthly_run_happens_once_and_mails_the_ict_managers_a_link(
    quick_pdf, scenario, frozen, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://servicedesk.mbashe.gov.za"
    manager = UserFactory(username="ict-manager", email="ict.manager@mbashe.invalid", role=roles.MANAGER)
    UserFactory(username="former-manager", email="gone@mbashe.invalid", role=roles.MANAGER, is_active=False)
    frozen(2026, 11, 1, 6, 0)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = tasks.build_previous_month()
        again = tasks.build_previous_month()  # beat fired twice
    assert first is not None and again is None
    assert len(callbacks) == 1
    run = ReportRun.objects.get()
    assert (run.month, run.automatic, run.requested_by) == (answers.OCTOBER, True, None)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert tasks.build_report(run.pk) is True
        assert tasks.build_report(run.pk) is False
    mail = Notification.objects.get(key=f"report-run:{run.pk}:to:{manager.pk}")
    assert mail.to_address == "ict.manager@mbashe.invalid"
    assert f"https://servicedesk.mbashe.gov.za/reports/runs/{run.pk}/" in mail.body_text
    assert "October 2026" in mail.subject
    assert Notification.objects.filter(key__startswith="report-run:").count() == 1  # not the inactive one
    assert len(callbacks) == 1  # one mail queued

    # A manual version of the same month later on is no second automatic run.
    assert services.report_run_schedule_previous_month() is None


def test_the_monthly_run_is_unique_even_when_two_beats_race(scenario, frozen):
    from django.db import IntegrityError, transaction

    frozen(2026, 11, 1, 6, 0)
    ReportRun.objects.create(month=answers.OCTOBER, version=1, automatic=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportRun.objects.create(month=answers.OCTOBER, version=2, automatic=True)
    assert services.report_run_schedule_previous_month() is None


# --- commentary: saved at once, the files redrawn in the background -----------------------------------


def _no_drawing(monkeypatch) -> dict:
    """Make drawing the files fail loudly; returns the drawing functions to put back."""
    drawing = {name: getattr(documents, name) for name in ("build_pdf", "build_xlsx")}

    def refuse(*args, **kwargs):
        raise AssertionError("the request drew the report's files itself")

    for name in drawing:
        monkeypatch.setattr(documents, name, refuse)
    return drawing


def test_saving_commentary_keeps_the_words_and_queues_the_redraw_without_drawing(
    quick_pdf,
    built,
    manager_user,
    signed_in,
    monkeypatch,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    """Saving took 8.6 s with no sign of life: the PDF and XLSX were drawn inside the request. Now the
    request saves the words and queues the drawing after commit, in a handful of queries."""
    client = signed_in(manager_user)
    old_pdf = built.pdf.read()
    drawing = _no_drawing(monkeypatch)
    url = reverse("reports:run_commentary", args=[built.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks, django_assert_max_num_queries(8):
        response = client.post(url, {"summary": "Backlog down by a third."})
    assert response.status_code == 302
    assert [callback.__qualname__ for callback in callbacks] == ["enqueue_on_commit.<locals>.send"]
    run = ReportRun.objects.get(pk=built.pk)
    assert run.commentary == {"summary": "Backlog down by a third."} and run.files_pending
    assert run.pdf.read() == old_pdf  # not drawn yet

    # The page says what is happening, and its progress poll keeps watching until the files are drawn.
    page = client.get(reverse("reports:run_detail", args=[run.pk])).content.decode()
    assert "Commentary saved. The PDF and spreadsheet are being redrawn" in page
    assert "Redrawing the PDF and spreadsheet with your commentary" in page
    assert 'data-finished="false"' in page and 'data-busy="Saving…"' in page
    progress = client.get(reverse("reports:run_progress", args=[run.pk])).json()
    assert (progress["finished"], progress["redrawing"]) == (False, True)

    for name, function in drawing.items():
        monkeypatch.setattr(documents, name, function)
    run = _redrawn(run)
    book = load_workbook(io.BytesIO(run.xlsx.read()))
    commentary = {row[0]: row[1] for row in book["Commentary"].iter_rows(min_row=2, values_only=True)}
    assert commentary["Executive summary"] == "Backlog down by a third."
    progress = client.get(reverse("reports:run_progress", args=[run.pk])).json()
    assert (progress["finished"], progress["redrawing"]) == (True, False)
    assert (
        "Redrawing the PDF" not in client.get(reverse("reports:run_detail", args=[run.pk])).content.decode()
    )


def test_the_redraw_carries_the_words_saved_last(quick_pdf, built, manager_user, monkeypatch):
    """A redraw that finds newer words saved while it drew leaves the files to the newer redraw."""
    from openpyxl import load_workbook

    first = services.report_run_comment(run=built, by=manager_user, commentary={"summary": "First words."})
    drawing = documents.build_xlsx

    def draw_while_the_manager_saves_again(report, *, commentary, run=None):
        services.report_run_comment(run=first, by=manager_user, commentary={"summary": "Second words."})
        return drawing(report, commentary=commentary, run=run)

    monkeypatch.setattr(documents, "build_xlsx", draw_while_the_manager_saves_again)
    assert tasks.redraw_report(first.pk) is False  # drew "First words.", then found newer ones
    first.refresh_from_db()
    assert first.files_pending
    monkeypatch.setattr(documents, "build_xlsx", drawing)
    run = _redrawn(first)
    book = load_workbook(io.BytesIO(run.xlsx.read()))
    commentary = {row[0]: row[1] for row in book["Commentary"].iter_rows(min_row=2, values_only=True)}
    assert commentary["Executive summary"] == "Second words."
    assert tasks.redraw_report(run.pk) is False  # nothing left to do: idempotent


def test_a_lost_or_failed_redraw_is_queued_again_by_the_sweep(
    quick_pdf, built, manager_user, frozen, monkeypatch, django_capture_on_commit_callbacks
):
    run = services.report_run_comment(run=built, by=manager_user, commentary={"summary": "Words."})

    def broken(*args, **kwargs):
        raise RuntimeError("no fonts")

    working = documents.build_pdf
    monkeypatch.setattr(documents, "build_pdf", broken)
    assert tasks.redraw_report(run.pk) is False
    run.refresh_from_db()
    assert run.files_pending and "no fonts" in run.error
    assert services.report_runs_resume() == 0  # tried a moment ago
    frozen(2026, 11, 3, 9, 10)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.report_runs_resume() == 1
    assert len(callbacks) == 1
    monkeypatch.setattr(documents, "build_pdf", working)
    run = _redrawn(run)
    assert run.error == ""


# --- issue 16: a killed worker's run is taken over at once, and the manager can retry a stuck one ----------


def _dead_holder() -> str:
    from tests.common.test_leases import identity_of_an_ended_process

    return identity_of_an_ended_process()


def _running(run: ReportRun, **fields) -> None:
    from django.utils import timezone

    values = {"status": "running", "heartbeat_at": timezone.now(), "build_token": "x", "progress": 60}
    ReportRun.objects.filter(pk=run.pk).update(**{**values, **fields})


@pytest.fixture
def requested(scenario, manager_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        return services.report_run_request(month=answers.OCTOBER, by=manager_user)


def test_a_task_handed_out_again_takes_over_at_once_from_a_dead_worker(quick_pdf, requested):
    from common import leases

    # The worker died a second ago: its heartbeat is fresh, but the process holding the run is gone.
    _running(requested, build_holder=_dead_holder())
    run = _build(requested)
    assert (run.status, run.progress) == ("done", 100)
    assert run.build_holder == leases.holder_identity()


def test_a_run_held_by_a_live_worker_is_left_alone(quick_pdf, requested):
    import socket
    import subprocess
    import sys

    from common import leases

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        holder = f"{socket.gethostname()} {child.pid} {leases._start_time(child.pid)}"
        _running(requested, build_holder=holder)
        assert tasks.build_report(requested.pk) is False
        _running(requested, build_holder="another-host 1 2")  # on another host: the heartbeat decides
        assert tasks.build_report(requested.pk) is False
    finally:
        child.kill()
        child.wait()


def test_a_worker_on_another_host_is_taken_over_once_its_heartbeat_stops(quick_pdf, requested):
    from datetime import timedelta

    from django.utils import timezone

    # The build's own thread refreshes the heartbeat every HEARTBEAT_EVERY seconds, whatever the step:
    # a minute without one means the machine is gone, not that the PDF is slow.
    stale = timezone.now() - services._stale_after() - timedelta(seconds=1)
    _running(requested, build_holder="another-host 1 2", heartbeat_at=stale)
    assert services._stale_after() <= timedelta(minutes=2)
    assert _build(requested).status == "done"


def test_the_sweep_queues_a_run_whose_worker_on_this_host_is_gone(
    requested, django_capture_on_commit_callbacks
):
    _running(requested, build_holder=_dead_holder())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.report_runs_resume() == 1
    assert len(callbacks) == 1


def test_the_manager_retries_a_stuck_run_from_the_api(
    quick_pdf, requested, manager_user, django_capture_on_commit_callbacks
):
    from rest_framework.test import APIClient

    from common import leases

    api = APIClient()
    api.force_authenticate(manager_user)
    url = f"/api/reports/runs/{requested.pk}/retry/"
    _running(requested, build_holder=leases.holder_identity())
    with leases.holding(f"report-run:{requested.pk}", beat=lambda: None, every=60):
        refused = api.post(url)  # this process is building it
    assert refused.status_code == 409, refused.content
    assert ReportRun.objects.get(pk=requested.pk).status == "running"

    _running(requested, build_holder=_dead_holder())
    assert api.get(f"/api/reports/runs/{requested.pk}/").json()["status"] == "running"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        answer = api.post(url)
    assert answer.status_code == 202, answer.content
    assert answer.json()["status"] == "queued" and len(callbacks) == 1
    assert _build(requested).status == "done"
    assert api.post(url).status_code == 409  # done: nothing to try again


def test_the_manager_retries_a_stuck_run_from_its_page(
    quick_pdf, requested, manager_user, client, django_capture_on_commit_callbacks
):
    client.force_login(manager_user)
    _running(requested, build_holder=_dead_holder())
    page = client.get(reverse("reports:run_detail", args=[requested.pk]))
    assert b"stopped moving" in page.content
    assert reverse("reports:run_retry", args=[requested.pk]).encode() in page.content
    assert client.get(reverse("reports:run_progress", args=[requested.pk])).json()["stuck"] is True
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        answer = client.post(reverse("reports:run_retry", args=[requested.pk]))
    assert answer.status_code == 302 and len(callbacks) == 1
    assert ReportRun.objects.get(pk=requested.pk).status == "queued"


def test_a_live_build_offers_no_retry(requested, manager_user, client):
    from common import leases

    client.force_login(manager_user)
    _running(requested, build_holder=leases.holder_identity())
    with leases.holding(f"report-run:{requested.pk}", beat=lambda: None, every=60):
        page = client.get(reverse("reports:run_detail", args=[requested.pk]))
        assert b"stopped moving" not in page.content
        with pytest.raises(ValidationError):
            services.report_run_retry(run=requested, by=manager_user)


def test_the_sweep_builds_the_monthly_report_whose_beat_task_was_lost(
    scenario, frozen, settings, django_capture_on_commit_callbacks
):
    """The 06:00 task on the 1st expired unrun (workers down through a morning of load-shedding), or a
    broker flush dropped it: the 5-minute sweep builds the month's report that morning, once."""
    beat = settings.CELERY_BEAT_SCHEDULE["reports-build-previous-month"]["schedule"]
    assert beat.hour == {services.MONTHLY_RUN_HOUR} and beat.day_of_month == {1}

    frozen(2026, 11, 1, 5, 55)
    assert services.report_runs_resume() == 0  # not yet: the schedule's own task comes at 06:00
    frozen(2026, 11, 1, 12, 5)  # the task was lost: nothing was built
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.report_runs_resume() == 1
    run = ReportRun.objects.get()
    assert (run.month, run.automatic, run.status) == (answers.OCTOBER, True, "queued")
    assert len(callbacks) == 1  # its build is queued
    frozen(2026, 11, 1, 12, 10)
    with django_capture_on_commit_callbacks(execute=False):
        services.report_runs_resume()
    assert ReportRun.objects.count() == 1  # once


def test_the_sweep_leaves_a_month_built_by_hand_or_long_past(
    scenario, manager_user, frozen, django_capture_on_commit_callbacks
):
    frozen(2026, 11, 9, 9, 0)  # past the catch-up days: a month this old is the manager's to build
    assert services.report_runs_resume() == 0
    assert not ReportRun.objects.exists()
    frozen(2026, 11, 2, 9, 0)
    with django_capture_on_commit_callbacks(execute=False):
        services.report_run_request(month=answers.OCTOBER, by=manager_user)
        assert services.report_runs_resume() == 0
    assert ReportRun.objects.filter(automatic=True).count() == 0
