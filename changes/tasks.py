"""Celery entry points for changes: thin wrappers over services, safe to run twice."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="changes.send_interruption_notices", ignore_result=True)
def send_interruption_notices() -> int:
    from .notices import interruption_notices_send

    return interruption_notices_send()
