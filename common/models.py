"""The ground floor's one table: the mail outbox."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class Notification(models.Model):
    """An e-mail to send, recorded once: the idempotency key makes a second attempt to queue it a no-op.

    `about` is what the mail is about (a ticket, a report run, an agreement), for the sender's own
    queries; the outbox never reads it. `claimed_until` is the lease of the one sender at work on it
    (common.outbox): nobody else sends the row until the lease has lapsed."""

    key = models.CharField(max_length=200, unique=True)
    about_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    about_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("about_type", "about_id")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_address = models.EmailField()
    subject = models.CharField(max_length=200)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    # The conversation the mail belongs to (a ticket's reference): its In-Reply-To/References root and
    # the tag of its Reply-To address, so mail programs thread it and a reply by mail finds the ticket.
    thread = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        # The table was made by incidents; the model moved here without moving a row (0001_notification).
        db_table = "incidents_notification"
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["sent_at", "attempts"], name="notification_unsent_idx"),
            models.Index(fields=["about_type", "about_id"], name="notification_about_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.key} -> {self.to_address}"
