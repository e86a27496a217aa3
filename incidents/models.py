"""Tickets (incidents and service requests), their conversation, files, history and ratings.

Every change to a ticket goes through incidents/services.py, which writes a TicketEvent row for it; the
events are the ticket's append-only history (who, when, what, from, to) and the input the SLA clocks are
derived from.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce, Least

from catalogue.models import Impact, Priority, TicketKind, Urgency


class Status(models.TextChoices):
    NEW = "new", "New"
    ASSIGNED = "assigned", "Assigned"
    IN_PROGRESS = "in_progress", "In progress"
    PENDING = "pending", "Pending"
    RESOLVED = "resolved", "Resolved"
    REOPENED = "reopened", "Reopened"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.PENDING, Status.REOPENED)


class PendingReason(models.TextChoices):
    USER = "user", "Waiting on the requester"
    THIRD_PARTY = "third_party", "Waiting on a third party (supplier, provider)"


class Channel(models.TextChoices):
    WEB = "web", "Web"
    PHONE = "phone", "Phone"
    WALK_IN = "walk_in", "Walk-in"
    EMAIL = "email", "E-mail"


class ResolutionCode(models.TextChoices):
    FIXED = "fixed", "Fixed"
    WORKAROUND = "workaround", "Workaround given"
    FULFILLED = "fulfilled", "Request fulfilled"
    ADVICE = "advice", "Advice or training given"
    THIRD_PARTY = "third_party", "Fixed by a third party"
    NO_FAULT = "no_fault", "No fault found"
    DUPLICATE = "duplicate", "Duplicate of another ticket"
    WITHDRAWN = "withdrawn", "Withdrawn by the requester"


class Ticket(models.Model):
    kind = models.CharField(max_length=10, choices=TicketKind.choices, default=TicketKind.INCIDENT)
    summary = models.CharField(max_length=200)
    description = models.TextField(max_length=10_000)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    pending_reason = models.CharField(max_length=12, choices=PendingReason.choices, blank=True)

    impact = models.CharField(max_length=10, choices=Impact.choices)
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices)
    priority_reason = models.CharField(max_length=300, blank=True)

    service = models.ForeignKey("catalogue.Service", on_delete=models.PROTECT, related_name="tickets")
    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="tickets")
    asset = models.ForeignKey(
        "sites.Asset", on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets"
    )
    request_answers = models.JSONField(default=dict, blank=True)

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tickets_requested"
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="tickets_logged",
        null=True,
        blank=True,
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    group = models.ForeignKey(
        "catalogue.SupportGroup", on_delete=models.PROTECT, null=True, blank=True, related_name="tickets"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets_assigned",
    )
    supplier = models.ForeignKey(
        "slas.Supplier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        help_text="The outside supplier the ticket is waiting on (pending on a third party), if any.",
    )
    handovers = models.PositiveIntegerField(
        default=0, help_text="Times the ticket moved to another person or group."
    )

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="The major incident this ticket is part of.",
    )
    is_major = models.BooleanField("major incident", default=False)

    resolution_code = models.CharField(max_length=12, choices=ResolutionCode.choices, blank=True)
    resolution_note = models.TextField(max_length=5000, blank=True)
    first_contact = models.BooleanField("resolved at first contact", default=False)

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveIntegerField(default=0)
    sla = models.ForeignKey(
        "slas.ServiceLevelAgreement", on_delete=models.PROTECT, null=True, blank=True, related_name="tickets"
    )
    # Filled by the SLA engine (slas/); the queues sort and filter on them.
    response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    # Business minutes the resolution clock did not count because the site was down (outages; docs/sla.md).
    outage_paused_minutes = models.PositiveIntegerField(default=0, editable=False)
    # Optimistic concurrency: every change bumps it; a change made from a stale copy is refused (409).
    version = models.PositiveIntegerField(default=1)
    # The ticket's mails in the outbox (common.Notification.about); no column.
    notifications = GenericRelation(
        "common.Notification",
        content_type_field="about_type",
        object_id_field="about_id",
        related_query_name="ticket",
    )

    class Meta:
        ordering = ["priority", "resolution_due_at", "created_at"]
        indexes = [
            models.Index(fields=["status", "priority", "resolution_due_at"], name="ticket_queue_idx"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_idx"),
            models.Index(fields=["group", "status"], name="ticket_group_idx"),
            models.Index(fields=["requester", "created_at"], name="ticket_requester_idx"),
            models.Index(fields=["site", "service", "created_at"], name="ticket_site_service_idx"),
            models.Index(fields=["response_due_at"], name="ticket_response_due_idx"),
            models.Index(fields=["resolution_due_at"], name="ticket_resolution_due_idx"),
            models.Index(fields=["resolved_at"], name="ticket_resolved_at_idx"),
            # The queues' order (selectors.queue_order) exactly: btree ASC already puts NULLs last, so an
            # ORDER BY ... LIMIT 25 reads 25 index entries instead of sorting every open ticket.
            models.Index(
                fields=["priority", "resolution_due_at", "response_due_at", "created_at", "id"],
                name="ticket_open_queue_idx",
                condition=models.Q(status__in=OPEN_STATUSES),
            ),
            # The queue filtered by site (and priority) counts its open tickets from this index alone
            # (docs/performance.md).
            models.Index(
                fields=["site", "priority"],
                name="ticket_open_site_idx",
                condition=models.Q(status__in=OPEN_STATUSES),
            ),
            # The "Overdue" and "Breaching soon" queues: open tickets by their nearest running deadline
            # (selectors.nearest_due, this very expression), so both read a range of this index in order.
            models.Index(
                Least(
                    Coalesce("response_due_at", "resolution_due_at"),
                    Coalesce("resolution_due_at", "response_due_at"),
                ),
                "id",
                name="ticket_open_due_idx",
                condition=models.Q(status__in=OPEN_STATUSES),
            ),
            # The same order over every ticket: /api/tickets/ lists closed ones too.
            models.Index(
                fields=["priority", "resolution_due_at", "response_due_at", "created_at", "id"],
                name="ticket_queue_order_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=Status.PENDING) | ~models.Q(pending_reason=""),
                name="ticket_pending_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=[Status.RESOLVED, Status.CLOSED])
                | ~models.Q(resolution_code=""),
                name="ticket_resolved_has_code",
            ),
            models.CheckConstraint(condition=~models.Q(parent=models.F("id")), name="ticket_not_own_parent"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.summary}"

    @property
    def reference(self) -> str:
        return reference_for(self.kind, self.pk)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


REFERENCE_PREFIX: dict[str, str] = {TicketKind.INCIDENT: "INC", TicketKind.REQUEST: "REQ"}


def reference_for(kind: str, pk: int | None) -> str:
    return f"{REFERENCE_PREFIX.get(kind, 'TKT')}-{pk or 0:06d}"


def pk_from_reference(text: str) -> int | None:
    """`INC-000123`, `req-123`, `#123` or `123` -> 123; anything else -> None."""
    text = text.strip().upper().lstrip("#")
    for prefix in (*REFERENCE_PREFIX.values(), "TKT"):
        if text.startswith(prefix + "-"):
            text = text[len(prefix) + 1 :]
            break
    return int(text) if text.isdigit() and len(text) <= 12 else None


class TicketEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Ticket history is append-only: events are never updated.")

    def delete(self):
        raise TypeError("Ticket history is append-only: events are never deleted.")


class TicketEvent(models.Model):
    """One change to a ticket: who, when, which field, from what, to what. Never edited or deleted."""

    class Kind(models.TextChoices):
        LOGGED = "logged", "Logged"
        STATUS = "status", "Status changed"
        ASSIGNED = "assigned", "Assigned"
        GROUP = "group", "Group changed"
        PRIORITY = "priority", "Priority changed"
        SERVICE = "service", "Service changed"
        SITE = "site", "Site changed"
        ASSET = "asset", "Asset changed"
        PARENT = "parent", "Linked to a major incident"
        REPLY = "reply", "Public reply"
        NOTE = "note", "Internal note"
        ATTACHMENT = "attachment", "File attached"
        RATED = "rated", "Rated"
        RESPONDED = "responded", "First response"
        SLA = "sla", "Service level agreement"
        SUPPLIER = "supplier", "Referred to a supplier"
        PROBLEM = "problem", "Problem linked or unlinked"
        CHANGE = "change", "Caused by a change"

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the system acted (e.g. auto-close).",
    )
    at = models.DateTimeField(db_index=True)
    field = models.CharField(max_length=40, blank=True)
    old_value = models.CharField(max_length=200, blank=True)
    new_value = models.CharField(max_length=200, blank=True)
    note = models.CharField(max_length=300, blank=True)
    # Internal events (internal notes, group moves) are never shown to the requester.
    internal = models.BooleanField(default=False)

    objects = TicketEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["ticket", "at"], name="ticket_event_ticket_at_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.old_value} -> {self.new_value}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Ticket history is append-only: events are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Ticket history is append-only: events are never deleted.")


class Comment(models.Model):
    """A public reply (the requester sees it) or an internal note (support staff only)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=10_000)
    internal = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="comment_ticket_idx")]

    def __str__(self) -> str:
        return f"{'Note' if self.internal else 'Reply'} on {self.ticket_id} by {self.author_id}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # Never the user's file name on disk: a random name under the ticket's month.
    return f"attachments/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="attachments")
    comment = models.ForeignKey(
        Comment, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments"
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    internal = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class SatisfactionRating(models.Model):
    """The requester's rating of a resolved ticket; one per ticket (a signed link is usable once)."""

    ticket = models.OneToOneField(Ticket, on_delete=models.PROTECT, related_name="rating")
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(max_length=2000, blank=True)
    rated_at = models.DateTimeField()
    via_link = models.BooleanField(
        default=False, help_text="Recorded from the signed link in the resolution mail."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="rating_score_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.score}/5"


class SavedFilter(models.Model):
    """A technician's named queue filter (the query string of the queue page)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters")
    name = models.CharField(max_length=60)
    query = models.CharField(max_length=500)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_filter_name_unique_per_user")
        ]

    def __str__(self) -> str:
        return self.name
