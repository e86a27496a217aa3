"""Problems (the unknown cause of one or more incidents), their incidents, history and the recurrence
proposals the beat task finds.

A problem sits on top of incidents: `IncidentLink` (one row per linked ticket, so a ticket belongs to at
most one problem) lives here, and incidents never imports this app (docs/architecture.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from catalogue.models import Impact, Priority, Urgency


class ProblemStatus(models.TextChoices):
    LOGGED = "logged", "Logged"
    INVESTIGATING = "investigating", "Under investigation"
    KNOWN_ERROR = "known_error", "Known error"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


OPEN_PROBLEM_STATUSES = (ProblemStatus.LOGGED, ProblemStatus.INVESTIGATING, ProblemStatus.KNOWN_ERROR)


class RootCauseCategory(models.TextChoices):
    HARDWARE = "hardware", "Hardware"
    SOFTWARE = "software", "Software"
    NETWORK = "network", "Network or link"
    POWER = "power", "Power"
    SUPPLIER = "supplier", "Supplier"
    USER = "user", "User or training"
    PROCESS = "process", "Process"


class Problem(models.Model):
    summary = models.CharField(max_length=200)
    description = models.TextField(max_length=10_000, blank=True)
    service = models.ForeignKey("catalogue.Service", on_delete=models.PROTECT, related_name="problems")
    sites = models.ManyToManyField("sites.Site", blank=True, related_name="problems")
    assets = models.ManyToManyField(
        "sites.Asset", blank=True, related_name="problems", help_text="The configuration items affected."
    )
    impact = models.CharField(max_length=10, choices=Impact.choices, default=Impact.MEDIUM)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.MEDIUM)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="problems_owned",
        help_text="The technician working the problem.",
    )
    group = models.ForeignKey(
        "catalogue.SupportGroup", on_delete=models.PROTECT, null=True, blank=True, related_name="problems"
    )
    status = models.CharField(max_length=14, choices=ProblemStatus.choices, default=ProblemStatus.LOGGED)
    root_cause = models.TextField(max_length=5000, blank=True)
    root_cause_category = models.CharField(max_length=10, choices=RootCauseCategory.choices, blank=True)
    workaround = models.TextField(
        max_length=5000, blank=True, help_text="What the service desk does to restore service meanwhile."
    )
    workaround_public = models.TextField(
        "workaround for staff",
        max_length=2000,
        blank=True,
        help_text="The part of the workaround a member of staff may try alone (shown to staff, issue 19).",
    )
    permanent_fix = models.TextField(max_length=5000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    known_error_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "priority"], name="problem_status_idx"),
            models.Index(fields=["service", "status"], name="problem_service_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=ProblemStatus.KNOWN_ERROR) | ~models.Q(workaround=""),
                name="problem_known_error_has_workaround",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.summary}"

    @property
    def reference(self) -> str:
        return problem_reference(self.pk)

    @property
    def known_error(self) -> bool:
        return bool(self.workaround) and self.status in OPEN_PROBLEM_STATUSES

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_PROBLEM_STATUSES


def problem_reference(pk: int | None) -> str:
    return f"PRB-{pk or 0:06d}"


def problem_pk_from_reference(text: str) -> int | None:
    """`PRB-000012`, `prb-12`, `#12` or `12` -> 12; anything else -> None."""
    text = text.strip().upper().lstrip("#").removeprefix("PRB-")
    return int(text) if text.isdigit() and len(text) <= 12 else None


class IncidentLink(models.Model):
    """A ticket linked to a problem: many tickets to one problem, a ticket to at most one problem."""

    ticket = models.OneToOneField("incidents.Ticket", on_delete=models.CASCADE, related_name="problem_link")
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="incident_links")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    linked_at = models.DateTimeField()

    class Meta:
        ordering = ["linked_at", "id"]
        indexes = [models.Index(fields=["problem", "ticket"], name="incident_link_problem_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id} -> {self.problem_id}"


class ProblemEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Problem history is append-only: events are never updated.")

    def delete(self):
        raise TypeError("Problem history is append-only: events are never deleted.")


class ProblemEvent(models.Model):
    """One change to a problem: who, when, what, from, to. Never edited or deleted."""

    class Kind(models.TextChoices):
        LOGGED = "logged", "Logged"
        STATUS = "status", "Status changed"
        CHANGED = "changed", "Details changed"
        LINKED = "linked", "Incident linked"
        UNLINKED = "unlinked", "Incident unlinked"
        WORKAROUND = "workaround", "Workaround applied"

    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()
    field = models.CharField(max_length=40, blank=True)
    old_value = models.CharField(max_length=200, blank=True)
    new_value = models.CharField(max_length=200, blank=True)
    note = models.CharField(max_length=300, blank=True)

    objects = ProblemEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["problem", "at"], name="problem_event_problem_at_idx")]

    def __str__(self) -> str:
        return f"{self.problem_id} {self.kind} {self.old_value} -> {self.new_value}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Problem history is append-only: events are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Problem history is append-only: events are never deleted.")


class RecurrenceSettings(models.Model):
    """How many incidents, within how many business days, make a recurring fault (one row, admin)."""

    minimum_incidents = models.PositiveSmallIntegerField(
        default=3, help_text="Incidents on the same service and site (or asset) that make a recurrence."
    )
    window_business_days = models.PositiveSmallIntegerField(
        default=10, help_text="...all logged within this many working days of the desk's calendar."
    )
    lookback_days = models.PositiveSmallIntegerField(
        default=60, help_text="How far back (calendar days) the search for recurrences reads."
    )

    class Meta:
        verbose_name = verbose_name_plural = "recurrence settings"

    def __str__(self) -> str:
        return f"{self.minimum_incidents} incidents within {self.window_business_days} working days"


class ProposalState(models.TextChoices):
    OPEN = "open", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    DISMISSED = "dismissed", "Dismissed"


class RecurrenceProposal(models.Model):
    """A recurring fault the beat task found: its incidents are the evidence. Accepting makes a problem
    with them linked; a dismissed proposal keeps its tickets out of every later proposal."""

    service = models.ForeignKey("catalogue.Service", on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    asset = models.ForeignKey(
        "sites.Asset", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    tickets = models.ManyToManyField("incidents.Ticket", related_name="recurrence_proposals")
    state = models.CharField(max_length=10, choices=ProposalState.choices, default=ProposalState.OPEN)
    found_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    problem = models.ForeignKey(Problem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-found_at", "-id"]
        indexes = [models.Index(fields=["state", "found_at"], name="proposal_state_idx")]

    def __str__(self) -> str:
        return f"Recurrence on {self.service_id} at {self.site_id or self.asset_id} ({self.state})"


class ImprovementStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


OPEN_IMPROVEMENT_STATUSES = (ImprovementStatus.PLANNED, ImprovementStatus.IN_PROGRESS)


class ImprovementReason(models.TextChoices):
    PROBLEM = "problem", "A problem"
    KPI = "kpi", "A KPI of a report month"
    MANCO = "manco", "A ManCo comment"


class Improvement(models.Model):
    """An action of the continual service improvement register (CSI-000001): what, why, who, by when,
    and what came of it. The ICT manager owns the register."""

    what = models.CharField(max_length=200)
    reason = models.CharField("why", max_length=10, choices=ImprovementReason.choices)
    problem = models.ForeignKey(
        Problem, on_delete=models.PROTECT, null=True, blank=True, related_name="improvements"
    )
    kpi = models.CharField(
        "KPI", max_length=40, blank=True, help_text="The KPI's key, e.g. resolution_compliance."
    )
    report_month = models.DateField(null=True, blank=True, help_text="The 1st of the report's month.")
    comment = models.TextField(
        max_length=5000, blank=True, help_text="The ManCo comment or the reason in words."
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="improvements")
    due_on = models.DateField()
    status = models.CharField(
        max_length=12, choices=ImprovementStatus.choices, default=ImprovementStatus.PLANNED
    )
    outcome = models.TextField(max_length=5000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"], name="improvement_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason="problem") | models.Q(problem__isnull=False),
                name="improvement_problem_reason_names_it",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="done") | ~models.Q(outcome=""),
                name="improvement_done_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.what}"

    @property
    def reference(self) -> str:
        return f"CSI-{self.pk or 0:06d}"
