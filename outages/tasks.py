"""Celery entry points for outages: thin wrappers over services, safe to run twice."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="outages.refresh_open", ignore_result=True)
def refresh_open() -> int:
    from .services import open_outages_refresh

    return open_outages_refresh()


@shared_task(name="outages.probe_links", ignore_result=True)
def probe_links() -> dict:
    from .probe import probes_run

    return probes_run()


@shared_task(name="outages.plan_load_shedding", ignore_result=True)
def plan_load_shedding() -> int:
    from .load_shedding import windows_plan

    return windows_plan()
