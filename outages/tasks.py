"""Celery entry points for outages: thin wrappers over services, safe to run twice."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="outages.refresh_open", ignore_result=True)
def refresh_open() -> int:
    from .services import open_outages_refresh

    return open_outages_refresh()
