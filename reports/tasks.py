"""Celery entry points for the monthly report: thin wrappers over reports.services, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="reports.build_report", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def build_report(run_id: int) -> bool:
    """Build one run; a run already done (or being built by a live worker) is left alone."""
    return services.report_run_build(run_id=run_id)


@shared_task(name="reports.redraw_report", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def redraw_report(run_id: int) -> bool:
    """Draw a run's PDF and XLSX again with its commentary and sign-off; nothing once they are current."""
    return services.report_run_redraw(run_id=run_id)


@shared_task(name="reports.build_previous_month", ignore_result=True)
def build_previous_month() -> int | None:
    """Beat, on the 1st of each month: last month's report, once, then a mail to the ICT manager(s)."""
    run = services.report_run_schedule_previous_month()
    return run.pk if run else None


@shared_task(name="reports.resume_lost_runs", ignore_result=True)
def resume_lost_runs() -> int:
    """Beat sweep: queue again the runs whose task was lost (broker down, worker killed)."""
    return services.report_runs_resume()


@shared_task(name="reports.count_month_so_far", ignore_result=True)
def count_month_so_far() -> int:
    """Beat: recount this month so far (the whole municipality's and every scope asked for) and keep it
    for the dashboard and the API, which only read it."""
    return services.month_so_far_recount()


@shared_task(name="reports.recount_stale", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def recount_stale(months: list[str] | None = None) -> int:
    """Recount the months a ticket change marked stale, and the reports asked for and never counted.
    Queued after the marking transaction commits (`months` is what it marked, for the log; every stale
    month is recounted), and run by beat every few minutes for marks whose task was lost."""
    return services.stale_months_recount()
