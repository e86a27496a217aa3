"""Celery entry points for ticket work: thin wrappers over services, safe to run twice."""

from __future__ import annotations

import logging
import re

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from common.queueing import enqueue_on_commit

from .models import Notification

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 10
DEFAULT_FROM_DOMAIN = re.compile(r"@([A-Za-z0-9.-]+)")


def message_id(notification: Notification) -> str:
    """The same Message-ID every time this notification is sent. A worker killed after the mail server
    took the message but before `sent_at` was committed sends it again on the retry (at least once, never
    lost); mail programs show a message with a Message-ID they already have only once."""
    domain = DEFAULT_FROM_DOMAIN.search(settings.DEFAULT_FROM_EMAIL)
    host = domain.group(1) if domain else "servicedesk.invalid"
    return f"<notification-{notification.pk}.{notification.created_at:%Y%m%d%H%M%S}@{host}>"


@shared_task(name="incidents.send_notification", acks_late=True, ignore_result=True)
def send_notification(notification_id: int) -> bool:
    """Send one queued mail unless it was sent already; a row locked by another worker is left to it."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, sent_at__isnull=True)
            .first()
        )
        if notification is None:
            return False
        message = EmailMultiAlternatives(
            subject=notification.subject,
            body=notification.body_text,
            to=[notification.to_address],
            headers={"Message-ID": message_id(notification)},
        )
        if notification.body_html:
            message.attach_alternative(notification.body_html, "text/html")
        try:
            message.send()
        except Exception as exc:  # SMTP errors of every kind: recorded, retried by the sweep
            notification.attempts += 1
            notification.last_error = f"{type(exc).__name__}: {exc}"[:300]
            notification.save(update_fields=["attempts", "last_error"])
            logger.warning("mail %s not sent (attempt %s): %s", notification.key, notification.attempts, exc)
            return False
        notification.sent_at = timezone.now()
        notification.attempts += 1
        notification.save(update_fields=["sent_at", "attempts"])
        return True


@shared_task(name="incidents.send_unsent_notifications", ignore_result=True)
def send_unsent_notifications() -> int:
    """Beat sweep: retry mail that is not sent yet (a lost task, a worker killed, SMTP down)."""
    cutoff = timezone.now() - timezone.timedelta(seconds=30)
    ids = list(
        Notification.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS, created_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
    return sum(send_notification(pk) for pk in ids)


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
