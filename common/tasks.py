"""Celery entry points of the ground floor: thin wrappers over common.outbox, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from . import outbox, stored_files


@shared_task(name="common.deliver_notification", acks_late=True, ignore_result=True)
def deliver_notification(notification_id: int) -> bool:
    return outbox.notification_deliver(notification_id=notification_id)


@shared_task(name="common.deliver_notifications", acks_late=True, ignore_result=True)
def deliver_notifications(notification_ids: list[int]) -> int:
    """The mails one transaction wrote, queued once after its commit; each is claimed on its own."""
    return sum(outbox.notification_deliver(notification_id=pk) for pk in notification_ids)


@shared_task(name="common.deliver_unsent_notifications", ignore_result=True)
def deliver_unsent_notifications() -> int:
    return outbox.notifications_deliver_unsent()


@shared_task(name="common.remove_orphaned_files", ignore_result=True)
def remove_orphaned_files() -> int:
    """Beat, daily: files no row names (a rolled-back or interrupted save) are removed."""
    return stored_files.stored_files_remove_orphans()
