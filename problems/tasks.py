"""Celery entry points of problem management: thin wrappers over services."""

from celery import shared_task

from . import services


@shared_task(name="problems.find_recurrences", acks_late=True, ignore_result=True)
def find_recurrences() -> int:
    """Propose problems from recurring incidents (idempotent: the open proposals become what is found)."""
    return services.recurrences_refresh()
