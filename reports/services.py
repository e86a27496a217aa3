"""The verbs of the monthly report: request a run, build it, comment on it, sign it off, and the monthly
schedule. A signed-off run is frozen: every verb that would change it refuses with a ValidationError.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date, datetime, timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from common import access, leases
from common.addresses import absolute_url
from common.outbox import notification_send
from common.queueing import enqueue_on_commit

from . import documents, kpis, stored_months
from .models import SECTIONS, ReportRun, StoredMonthFigures, StoredReport
from .periods import add_months, month_period, month_start, previous_month, this_month

logger = logging.getLogger(__name__)

COMMENTARY_MAX = 3000
# A queued run nobody picked up (broker down when it was queued) is queued again after this long.
REQUEUE_AFTER = timedelta(minutes=2)
# The monthly schedule builds last month's report at this local hour on the 1st (CELERY_BEAT_SCHEDULE's
# "reports-build-previous-month"); the resume sweep makes up for a lost beat task during the first
# CATCH_UP_DAYS days of the month.
MONTHLY_RUN_HOUR = 6
CATCH_UP_DAYS = 7
# While a run is built, a thread of the building process refreshes its heartbeat this often (seconds),
# whatever step the build is in (common.leases.holding).
HEARTBEAT_EVERY = 10.0


def _stale_after() -> timedelta:
    """A run "being built" whose heartbeat has not moved for this long lost its worker (a process on
    another host, killed with its machine: one on this host is seen gone at once, common.leases)."""
    return timedelta(seconds=6 * HEARTBEAT_EVERY)


def _lease_key(run_id: int) -> str:
    return f"report-run:{run_id}"


def _worker_gone(run: ReportRun, now: datetime) -> bool:
    """The run says it is being built, but nobody is building it: its holder is known to be gone, or its
    heartbeat went stale (issue 16: a killed worker's run sat "running" for 16-21 minutes)."""
    if run.status != ReportRun.Status.RUNNING:
        return False
    stale = run.heartbeat_at is None or now - run.heartbeat_at >= _stale_after()
    return stale or leases.holder_gone(run.build_holder, _lease_key(run.pk))


def report_run_stuck(run: ReportRun, now: datetime | None = None) -> bool:
    """A run the manager may queue again although it did not fail: being built by a worker that is gone,
    or queued long ago and never picked up (the broker lost its task)."""
    now = now or timezone.now()
    if run.status == ReportRun.Status.QUEUED:
        return now - run.created_at >= REQUEUE_AFTER
    return _worker_gone(run, now)


def _require_report_role(user) -> None:
    if not access.may(user, "report.make"):
        raise PermissionDenied("Only the ICT Manager and Admin roles make and sign the monthly report.")


def _frozen_message(run: ReportRun) -> str:
    who = (
        (run.signed_off_by.get_full_name() or run.signed_off_by.get_username()) if run.signed_off_by else "?"
    )
    day = timezone.localtime(run.signed_off_at)
    return (
        f"The {run.month:%B %Y} report (version {run.version}) was signed off by {who} on "
        f"{day.day} {day:%B %Y} and is frozen: its figures and files no longer change. "
        "Build the month again to make a new version."
    )


def _refuse_if_frozen(run: ReportRun) -> None:
    if run.is_signed_off:
        raise ValidationError(_frozen_message(run), code="frozen")


def _lock(run: ReportRun | int) -> ReportRun:
    pk = run.pk if isinstance(run, ReportRun) else run
    # Only the run's row is locked (PostgreSQL cannot lock the empty side of the sign-off's outer join).
    return ReportRun.objects.select_for_update(of=("self",)).select_related("signed_off_by").get(pk=pk)


# --- requesting ---------------------------------------------------------------------------------------


def reportable_months(now: datetime | None = None, count: int = 24) -> list[date]:
    """Months that have ended, newest first: the ones a report can be built for."""
    last = previous_month(now)
    return [add_months(last, -back) for back in range(count)]


def _create_run(*, month: date, by, automatic: bool) -> ReportRun:
    """A new version of the month's report; versions are numbered per month, gaps never reused."""
    for _ in range(5):
        try:
            with transaction.atomic():
                latest = ReportRun.objects.filter(month=month).aggregate(v=Max("version"))["v"] or 0
                return ReportRun.objects.create(
                    month=month,
                    version=latest + 1,
                    automatic=automatic,
                    requested_by=by,
                    progress_message="Waiting for a worker",
                )
        except IntegrityError:
            if automatic and ReportRun.objects.filter(month=month, automatic=True).exists():
                raise
            continue  # another request took the same version number a moment ago: take the next
    raise ValidationError("Too many reports were requested at once; try again in a moment.")


@transaction.atomic
def report_run_request(*, month: date, by, now: datetime | None = None) -> ReportRun:
    """Ask for the month's report: a new run (version), built in the background once this commits."""
    from .tasks import build_report

    _require_report_role(by)
    now = now or timezone.now()
    if month_start(month) >= month_start(this_month(now)):
        raise ValidationError(
            {"month": f"{month:%B %Y} has not ended yet; its figures are on the dashboard as they stand."}
        )
    if month.year < 2000:
        raise ValidationError({"month": "Choose a month from 2000 on."})
    busy = ReportRun.objects.filter(
        month=month, status__in=(ReportRun.Status.QUEUED, ReportRun.Status.RUNNING)
    ).first()
    if busy is not None:
        raise ValidationError(
            {"month": f"The {month:%B %Y} report (version {busy.version}) is being built; wait for it."}
        )
    run = _create_run(month=month, by=by, automatic=False)
    enqueue_on_commit(build_report, run.pk)
    return run


def report_run_schedule_previous_month(*, now: datetime | None = None) -> ReportRun | None:
    """Beat, on the 1st: build last month's report, once. A second call (beat fired twice, two beat
    processes) finds the month's automatic run and does nothing; the unique constraint decides a race."""
    from .tasks import build_report

    month = previous_month(now)
    if ReportRun.objects.filter(month=month, automatic=True).exists():
        return None
    try:
        with transaction.atomic():
            run = _create_run(month=month, by=None, automatic=True)
            enqueue_on_commit(build_report, run.pk)
    except IntegrityError:
        return None
    return run


@transaction.atomic
def report_run_retry(*, run: ReportRun, by) -> ReportRun:
    """Queue a failed or stuck run again (the same version: it never had files). A stuck run's old
    worker, should it still be alive after all, loses its token: its files are dropped, never mixed."""
    from .tasks import build_report

    _require_report_role(by)
    run = _lock(run)
    if run.status != ReportRun.Status.FAILED and not report_run_stuck(run):
        raise ValidationError("Only a report that failed, or whose build stopped moving, can be tried again.")
    run.status, run.progress, run.progress_message, run.error = ReportRun.Status.QUEUED, 0, "Waiting", ""
    run.build_token, run.build_holder = "", ""
    run.save(update_fields=["status", "progress", "progress_message", "error", "build_token", "build_holder"])
    enqueue_on_commit(build_report, run.pk)
    return run


# --- building -----------------------------------------------------------------------------------------


def _claim(run_id: int, now: datetime) -> tuple[ReportRun | None, str]:
    """Take the run for this worker, unless it is done or another live worker has it."""
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status == ReportRun.Status.DONE:
            return None, ""
        if run.status == ReportRun.Status.FAILED:
            return None, ""  # failed runs are queued again on purpose (report_run_retry), never by accident
        if run.status == ReportRun.Status.RUNNING and not _worker_gone(run, now):
            return None, ""
        token = uuid.uuid4().hex
        run.status, run.build_token, run.heartbeat_at = ReportRun.Status.RUNNING, token, now
        run.build_holder = leases.holder_identity()
        run.started_at = run.started_at or now
        run.progress, run.progress_message, run.error = 5, "Started", ""
        run.save(
            update_fields=[
                "status",
                "build_token",
                "build_holder",
                "heartbeat_at",
                "started_at",
                "progress",
                "progress_message",
                "error",
            ]
        )
        return run, token


def _progress(run: ReportRun, token: str, percent: int, message: str) -> None:
    ReportRun.objects.filter(pk=run.pk, build_token=token).update(
        progress=percent, progress_message=message[:120], heartbeat_at=timezone.now()
    )


def _beat(run_id: int, token: str) -> None:
    ReportRun.objects.filter(pk=run_id, build_token=token).update(heartbeat_at=timezone.now())


def report_run_build(*, run_id: int) -> bool:
    """Build a run's snapshot and files. Idempotent: a run already done, or being built by a live
    worker, is left alone; a run whose worker died is taken over at once. The snapshot is taken once: a
    build that resumes after a crash keeps the figures the first attempt took."""
    now = timezone.now()
    run, token = _claim(run_id, now)
    if run is None:
        return False
    beat = partial(_beat, run.pk, token)
    with leases.holding(_lease_key(run.pk), beat=beat, every=HEARTBEAT_EVERY):
        return _build(run, token, now)


def _build(run: ReportRun, token: str, now: datetime) -> bool:
    """The build itself, for the worker holding `token`; a worker that lost its token writes nothing."""
    run_id = run.pk
    try:
        period = month_period(run.month, now=now)
        snapshot = run.snapshot
        if not snapshot:
            _progress(run, token, 10, "Counting the month's tickets")
            snapshot = kpis.month_report(period, include_annex=True, now=now)
            ReportRun.objects.filter(pk=run.pk, build_token=token).update(snapshot=snapshot)
        _progress(run, token, 45, "Writing the CSV of the month's tickets")
        csv_bytes = documents.build_tickets_csv(period)
        _progress(run, token, 60, "Writing the spreadsheet")
        xlsx_bytes = documents.build_xlsx(snapshot, commentary=run.commentary, run=run)
        _progress(run, token, 75, "Drawing the PDF")
        pdf_bytes = documents.build_pdf(snapshot, commentary=run.commentary, run=run)
        _progress(run, token, 95, "Saving the files")
        with transaction.atomic():
            run = ReportRun.objects.select_for_update().get(pk=run.pk)
            if run.build_token != token:
                return False  # another worker took it over; its files win
            run.snapshot = snapshot
            _replace_files(run, pdf=pdf_bytes, xlsx=xlsx_bytes, csv=csv_bytes)
            run.status, run.progress, run.progress_message = ReportRun.Status.DONE, 100, "Ready"
            run.finished_at = timezone.now()
            run.save()
            if run.automatic:
                _notify_managers(run)
        return True
    except Exception as exc:  # every failure is shown on the run's page; the worker carries on
        logger.exception("report run %s failed", run_id)
        ReportRun.objects.filter(pk=run_id, build_token=token).update(
            status=ReportRun.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:500],
            progress_message="Failed",
            finished_at=timezone.now(),
        )
        return False


def _replace_files(run: ReportRun, **contents: bytes) -> None:
    """Save new files under the run's folder; the old ones are removed once the change commits."""
    old = []
    for field_name, data in contents.items():
        field = getattr(run, field_name)
        if field:
            old.append((field.storage, field.name))
        field.save(run.file_name(field_name), ContentFile(data), save=False)

    def remove_old() -> None:
        for storage, name in old:
            storage.delete(name)

    if old:
        transaction.on_commit(remove_old)


def month_so_far_recount(*, now: datetime | None = None) -> int:
    """Beat, every REPORTS_LIVE_SECONDS / 2: count this month so far for the whole municipality and for
    every other scope someone has asked for, and keep it (reports.stored_months), so the dashboard's
    requests only read it. Returns the reports counted."""
    period = month_period(this_month(now), now=now)
    scopes = {kpis.ALL.key} | set(
        StoredReport.objects.filter(month=period.month).values_list("scope", flat=True)
    )
    for key in sorted(scopes, key=lambda key: (key != kpis.ALL.key, key)):
        kpis.month_report(period, kpis.Scope.from_key(key), stored=True)
    return len(scopes)


def stored_reports_count(*, ended_months: int = 1, now: datetime | None = None) -> int:
    """Count now what beat and the recount task would keep: this month so far and the last
    `ended_months` ended months, the whole municipality's. For a database filled all at once (the demo),
    so that its first dashboard shows figures rather than "being counted". Returns the reports counted."""
    counted = month_so_far_recount(now=now)
    month = this_month(now)
    for _ in range(ended_months):
        month = add_months(month, -1)
        kpis.month_report(month_period(month), kpis.ALL, stored=True)
        counted += 1
    return counted


# The reports that show an ended month: its own and the next five months' (their six-month trend).
_TREND_MONTHS_AFTER = 5


def stale_months_recount(*, now: datetime | None = None) -> int:
    """The task queued after a change marked months stale, and beat's sweep for marks whose task was lost:
    count each stale month's stored figures again (every scope kept), then every stored report that shows
    the month (its own and the trend of the five after it), then the reports asked for and never counted.
    A month marked again while it was being counted stays marked and is counted again. Returns the
    reports and figures counted."""
    counted = 0
    while (claimed := stored_months.stale_claim(now)) is not None:
        month, mark = claimed
        period = month_period(month)
        scopes = StoredMonthFigures.objects.filter(month=month).values_list("scope", flat=True)
        for key in list(scopes):
            figures, _cost = kpis.period_figures([period], kpis.Scope.from_key(key))
            stored_months.write({month: figures[0]}, key)
            counted += 1
        last = add_months(month, _TREND_MONTHS_AFTER)
        reports = StoredReport.objects.filter(month__gte=month, month__lte=last, report__isnull=False)
        for report_month, key in list(reports.values_list("month", "scope")):
            kpis.month_report(month_period(report_month, now=now), kpis.Scope.from_key(key), stored=True)
            counted += 1
        stored_months.stale_release(month, mark)
    for report_month, key in list(
        StoredReport.objects.filter(report__isnull=True).values_list("month", "scope")
    ):
        kpis.month_report(month_period(report_month, now=now), kpis.Scope.from_key(key), stored=True)
        counted += 1
    return counted


def report_runs_resume(*, now: datetime | None = None) -> int:
    """Beat sweep: queue again the runs whose task was lost (never picked up, or its worker died), and
    the redraws of files whose task was lost or failed."""
    from .tasks import build_report, redraw_report

    now = now or timezone.now()
    count = 1 if _monthly_run_caught_up(now) else 0
    lost = ReportRun.objects.filter(
        Q(status=ReportRun.Status.QUEUED, created_at__lt=now - REQUEUE_AFTER)
        | Q(status=ReportRun.Status.RUNNING, heartbeat_at__lt=now - _stale_after())
    ).values_list("pk", flat=True)
    # A run whose heartbeat looks fresh but whose worker on this host is seen gone (a whole worker
    # killed: its task comes back only after the broker's visibility timeout).
    running = ReportRun.objects.filter(
        status=ReportRun.Status.RUNNING, heartbeat_at__gte=now - _stale_after()
    )
    orphaned = [
        run.pk
        for run in running.only("pk", "status", "heartbeat_at", "build_holder")
        if _worker_gone(run, now)
    ]
    for pk in [*lost[:50], *orphaned[:50]]:
        enqueue_on_commit(build_report, pk)
        count += 1
    stale_redraws = ReportRun.objects.filter(
        status=ReportRun.Status.DONE, redraw_requested_at__lt=now - REQUEUE_AFTER
    ).exclude(redraw_token="")
    for pk in stale_redraws.values_list("pk", flat=True)[:50]:
        enqueue_on_commit(redraw_report, pk)
        count += 1
    return count


def _monthly_run_caught_up(now: datetime) -> bool:
    """The monthly schedule's one beat task can be lost: it expires unrun while the workers are down
    (a morning of load-shedding), a broker flush drops it, beat is down at 06:00 on the 1st. Nothing
    else would build the month's report until the next month (issue 16's own search). In the first
    CATCH_UP_DAYS days after the hour, the sweep does what the beat task would have done, once (the
    same function: a month's automatic run exists once), unless the manager has built the month by hand
    meanwhile."""
    local = timezone.localtime(now)
    if local.day > CATCH_UP_DAYS or (local.day == 1 and local.hour < MONTHLY_RUN_HOUR):
        return False
    if ReportRun.objects.filter(month=previous_month(now)).exists():
        return False
    return report_run_schedule_previous_month(now=now) is not None


# --- the manager's part -------------------------------------------------------------------------------


def _queue_redraw(run: ReportRun) -> None:
    """Ask for the PDF and XLSX to be drawn again from the run's snapshot (the numbers never change),
    in the background once this commits: drawing them takes seconds, the manager's request must not."""
    from .tasks import redraw_report

    run.redraw_token, run.redraw_requested_at = uuid.uuid4().hex, timezone.now()
    enqueue_on_commit(redraw_report, run.pk)


REDRAW_FIELDS = ["redraw_token", "redraw_requested_at"]


@transaction.atomic
def report_run_comment(*, run: ReportRun, by, commentary: dict[str, str]) -> ReportRun:
    """Save the manager's commentary per section; the PDF and XLSX are redrawn with it in the
    background (report_run_redraw), so saving takes a moment whatever the size of the report."""
    _require_report_role(by)
    run = _lock(run)
    _refuse_if_frozen(run)
    if run.status != ReportRun.Status.DONE:
        raise ValidationError("Commentary can be written once the report is ready.")
    unknown = set(commentary) - set(SECTIONS)
    if unknown:
        raise ValidationError({"commentary": f"Unknown section(s): {', '.join(sorted(unknown))}."})
    cleaned = {}
    errors = {}
    for key in SECTIONS:
        text = (commentary.get(key) or "").replace("\r\n", "\n").strip()
        if len(text) > COMMENTARY_MAX:
            errors[key] = [f"Keep it under {COMMENTARY_MAX} characters ({len(text)} now)."]
        if text:
            cleaned[key] = text
    if errors:
        raise ValidationError(errors)
    run.commentary = cleaned
    _queue_redraw(run)
    run.save(update_fields=["commentary", *REDRAW_FIELDS])
    return run


@transaction.atomic
def report_run_sign_off(*, run: ReportRun, by) -> ReportRun:
    """Sign the report off for tabling: from then on the run is frozen, and its PDF and XLSX are drawn
    a last time, in the background, with the sign-off on them."""
    _require_report_role(by)
    run = _lock(run)
    _refuse_if_frozen(run)
    if run.status != ReportRun.Status.DONE:
        raise ValidationError("Only a report that is ready can be signed off.")
    run.signed_off_by, run.signed_off_at = by, timezone.now()
    _queue_redraw(run)
    run.save(update_fields=["signed_off_by", "signed_off_at", *REDRAW_FIELDS])
    return run


def report_run_redraw(*, run_id: int) -> bool:
    """Draw a run's PDF and XLSX again with its current commentary and sign-off. Idempotent: nothing to
    do once the files are current; when the manager saved again while this one drew, the newer
    request's own task draws (this one's files are dropped), so the last words always win. The drawing
    holds no lock: only the swap of the files does."""
    run = ReportRun.objects.select_related("signed_off_by").filter(pk=run_id).first()
    if run is None or not run.redraw_token or run.status != ReportRun.Status.DONE:
        return False
    token = run.redraw_token
    try:
        xlsx_bytes = documents.build_xlsx(run.snapshot, commentary=run.commentary, run=run)
        pdf_bytes = documents.build_pdf(run.snapshot, commentary=run.commentary, run=run)
    except Exception as exc:  # shown on the run's page; the sweep tries again (report_runs_resume)
        logger.exception("redrawing report run %s failed", run_id)
        ReportRun.objects.filter(pk=run_id, redraw_token=token).update(
            error=f"Redrawing the files failed: {type(exc).__name__}: {exc}"[:500],
            redraw_requested_at=timezone.now(),
        )
        return False
    with transaction.atomic():
        run = _lock(run_id)
        if run.redraw_token != token:
            return False  # saved again meanwhile: that request's task draws the newer words
        _replace_files(run, pdf=pdf_bytes, xlsx=xlsx_bytes)
        run.redraw_token, run.redraw_requested_at, run.error = "", None, ""
        run.save(update_fields=["pdf", "xlsx", "error", *REDRAW_FIELDS])
    return True


# --- telling the managers -------------------------------------------------------------------------------


def run_url(run: ReportRun) -> str:
    return absolute_url(reverse("reports:run_detail", args=[run.pk]))


def report_managers():
    return (
        get_user_model()
        .objects.filter(groups__name=access.MANAGER, is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def _notify_managers(run: ReportRun) -> None:
    """Mail each ICT manager a link to the new report, once per run and person (the outbox's key),
    through the desk's one outbox (common.outbox: sent after commit, retried while SMTP is down)."""
    if run.managers_notified_at is not None:
        return
    context = {"run": run, "url": run_url(run), "organisation_name": settings.ORGANISATION_NAME}
    subject = f"ICT performance report for {run.month:%B %Y} is ready for your commentary"
    for manager in report_managers():
        notification_send(
            key=f"report-run:{run.pk}:to:{manager.pk}",
            to_address=manager.email,
            subject=subject,
            body_text=render_to_string("reports/mail/run_ready.txt", {**context, "recipient": manager}),
            recipient=manager,
            about=run,
        )
    run.managers_notified_at = timezone.now()
    run.save(update_fields=["managers_notified_at"])
