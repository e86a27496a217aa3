"""Celery entry points of the project itself (each app keeps its own tasks.py)."""

import os
import socket

from celery import shared_task
from django.utils import timezone

from .models import Heartbeat


@shared_task(name="servicedesk.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Record that beat scheduled and a worker ran this task; idempotent (one row, updated)."""
    Heartbeat.objects.update_or_create(
        name="beat",
        defaults={"beat_at": timezone.now(), "worker": f"{socket.gethostname()}:{os.getpid()}"},
    )


@shared_task(name="servicedesk.echo")
def echo(value: str) -> dict:
    """Answer with the value and the worker that ran it: the end-to-end probe of broker and worker."""
    return {"value": value, "pid": os.getpid(), "host": socket.gethostname()}
