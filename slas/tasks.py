"""Celery entry points of the SLA engine."""

from celery import shared_task
from django.conf import settings

from .reviews import sla_reviews_remind
from .services import sla_sweep


@shared_task(name="slas.sweep", acks_late=True, ignore_result=True)
def sweep() -> int:
    """Beat runs this every 30 s; it is safe to run twice, late, or from two beats at once."""
    return sla_sweep(batch=settings.SLA_SWEEP_BATCH)


@shared_task(name="slas.review_reminders", acks_late=True, ignore_result=True)
def review_reminders() -> int:
    """Beat runs this daily: reminds the ICT managers of agreements due for review in 30 days, once each."""
    return sla_reviews_remind()
