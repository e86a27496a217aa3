"""Celery entry points for ticket work: thin wrappers over services, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from common.queueing import enqueue_on_commit


@shared_task(name="incidents.auto_close", ignore_result=True)
def auto_close() -> int:
    from .services import tickets_auto_close

    return tickets_auto_close()


@shared_task(name="incidents.recalculate_clocks", acks_late=True, ignore_result=True)
def recalculate_clocks(sla_ids: list[int] | None = None) -> int:
    """Do the waiting recalculation requests (queued after an edit, and by beat every minute for a request
    whose task was lost). `sla_ids` is ignored: the requests in the database say what to recalculate."""
    from .service_levels import clocks_recalculate_requested

    return clocks_recalculate_requested()


def agreement_changed_received(sender, sla_ids=None, **kwargs) -> None:
    """Receiver of slas.signals.agreement_changed: recalculate in the background, after the edit commits.
    Several rows saved in one admin form queue several tasks; the first does the work for all of them."""
    enqueue_on_commit(recalculate_clocks)
