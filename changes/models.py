"""Change management (ITIL change enablement): requests for change, their risk, approvals and history.

A change is standard (pre-approved, from a template), normal (assessed and approved before work) or
emergency (done at once, approved after the fact within a deadline). Its lifecycle is one table
(changes/lifecycle.py); every move goes through changes/services.py, which writes a ChangeEvent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models

if TYPE_CHECKING:
    from problems.models import Problem


class ChangeType(models.TextChoices):
    STANDARD = "standard", "Standard (pre-approved)"
    NORMAL = "normal", "Normal"
    EMERGENCY = "emergency", "Emergency"


class ChangeStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    ASSESSED = "assessed", "Assessed"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    SCHEDULED = "scheduled", "Scheduled"
    IN_PROGRESS = "in_progress", "In progress"
    IMPLEMENTED = "implemented", "Implemented"
    REVIEWED = "reviewed", "Reviewed"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


# Statuses in which a change is going ahead: on the calendar, counted against overlapping changes.
GOING_AHEAD = (ChangeStatus.APPROVED, ChangeStatus.SCHEDULED, ChangeStatus.IN_PROGRESS)
# Statuses whose work is done (the outcome is known).
DONE = (ChangeStatus.IMPLEMENTED, ChangeStatus.REVIEWED, ChangeStatus.CLOSED)


class Level(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Outcome(models.TextChoices):
    SUCCESSFUL = "successful", "Successful"
    WITH_ISSUES = "with_issues", "Successful with issues"
    FAILED = "failed", "Failed"
    BACKED_OUT = "backed_out", "Backed out"


# The outcomes in which the change did what it meant to (a service transition takes effect).
SUCCEEDED = (Outcome.SUCCESSFUL, Outcome.WITH_ISSUES)


class ServiceTransition(models.TextChoices):
    NONE = "", "None"
    GO_LIVE = "live", "Make the services live"
    RETIRE = "retired", "Retire the services"


class RiskMatrixCell(models.Model):
    """Risk from likelihood x impact: nine cells, made by the migration, edited in admin."""

    likelihood = models.CharField(max_length=10, choices=Level.choices)
    impact = models.CharField(max_length=10, choices=Level.choices)
    risk = models.CharField(max_length=10, choices=Level.choices)

    class Meta:
        ordering = ["likelihood", "impact"]
        constraints = [models.UniqueConstraint(fields=["likelihood", "impact"], name="risk_cell_unique")]

    def __str__(self) -> str:
        return f"likelihood {self.likelihood} x impact {self.impact} = {self.risk}"


class ChangeTemplate(models.Model):
    """A standard change: pre-approved work done the same way each time (e.g. "add a network point")."""

    name = models.CharField(max_length=120, unique=True)
    reason = models.TextField(help_text="Why this work is done, copied into each change.")
    implementation_plan = models.TextField()
    backout_plan = models.TextField()
    test_plan = models.TextField()
    likelihood = models.CharField(max_length=10, choices=Level.choices, default=Level.LOW)
    impact = models.CharField(max_length=10, choices=Level.choices, default=Level.LOW)
    interrupts_service = models.BooleanField(default=False)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Change(models.Model):
    type = models.CharField(max_length=10, choices=ChangeType.choices, default=ChangeType.NORMAL)
    status = models.CharField(
        max_length=12, choices=ChangeStatus.choices, default=ChangeStatus.DRAFT, db_index=True
    )
    template = models.ForeignKey(
        ChangeTemplate, on_delete=models.PROTECT, null=True, blank=True, related_name="changes"
    )
    summary = models.CharField(max_length=200)
    reason = models.TextField()
    services = models.ManyToManyField("catalogue.Service", blank=True, related_name="changes")
    sites = models.ManyToManyField("sites.Site", blank=True, related_name="changes")
    assets = models.ManyToManyField("sites.Asset", blank=True, related_name="changes")
    likelihood = models.CharField(max_length=10, choices=Level.choices, default=Level.LOW)
    impact = models.CharField(max_length=10, choices=Level.choices, default=Level.LOW)
    risk = models.CharField(max_length=10, choices=Level.choices, default=Level.LOW, editable=False)
    implementation_plan = models.TextField(blank=True)
    backout_plan = models.TextField(blank=True)
    test_plan = models.TextField(blank=True)
    planned_start = models.DateTimeField(null=True, blank=True, db_index=True)
    planned_end = models.DateTimeField(null=True, blank=True)
    interrupts_service = models.BooleanField(
        default=False, help_text="Staff at the sites named are told beforehand and see a banner during it."
    )
    service_transition = models.CharField(
        max_length=10, choices=ServiceTransition.choices, default=ServiceTransition.NONE, blank=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="changes_requested"
    )
    implementer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="changes_implemented",
    )
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    review = models.TextField(
        "post-implementation review", blank=True, help_text="Needed for any outcome but a clean success."
    )
    implemented_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Set when conflicts were last looked for (at submission, a standard change's scheduling, approval):
    # the reports count changes planned inside a critical period from it.
    in_critical_period = models.BooleanField(default=False)
    # An incident is caused by at most one change (changes.services.incident_caused_by_set keeps it so).
    caused_incidents = models.ManyToManyField(
        "incidents.Ticket", blank=True, related_name="caused_by_changes"
    )
    # The problems whose permanent fix this change carries ("fixed by change CHG-..."), one change each.
    fixes_problems: models.ManyToManyField[Problem, ProblemFix] = models.ManyToManyField(
        "problems.Problem", through="ProblemFix", blank=True, related_name="fixing_changes"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["planned_start", "planned_end"], name="change_window_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_end__isnull=True)
                | models.Q(planned_start__isnull=True)
                | models.Q(planned_end__gt=models.F("planned_start")),
                name="change_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.summary}"

    @property
    def reference(self) -> str:
        return reference_for(self.pk)


def reference_for(pk: int | None) -> str:
    return f"CHG-{pk or 0:06d}"


def pk_from_reference(text: str) -> int | None:
    """`CHG-000012`, `chg-12` or `12` -> 12; anything else -> None."""
    text = text.strip().upper()
    text = text.removeprefix("CHG-")
    return int(text) if text.isdigit() and len(text) <= 12 else None


class ProblemFix(models.Model):
    """A problem names the change that carries its permanent fix: one change per problem, any number of
    problems per change. It lives here, not on the problem, because problems sits below changes; it is
    written through problems.services.problem_update (problems.problem_extensions, the hook) by
    changes/problem_fixes.py, with a history row on both sides."""

    problem = models.OneToOneField("problems.Problem", on_delete=models.CASCADE, related_name="fixed_by")
    change = models.ForeignKey(Change, on_delete=models.PROTECT, related_name="problem_fixes")
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    named_at = models.DateTimeField()

    class Meta:
        ordering = ["named_at", "id"]

    def __str__(self) -> str:
        return f"{self.problem_id} fixed by {self.change_id}"


class Decision(models.TextChoices):
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class ChangeApproval(models.Model):
    """One approver's decision; a high-risk normal change needs two approvals from different people."""

    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    at = models.DateTimeField()
    note = models.CharField(max_length=500, blank=True)
    # The conflicts shown when the approver decided, and why they approved anyway.
    conflicts = models.TextField(blank=True)
    justification = models.TextField(blank=True)
    # False once the plan or dates changed after approval: the change needs approving again.
    current = models.BooleanField(default=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["change", "approver"],
                condition=models.Q(current=True),
                name="change_approval_once_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.change_id} {self.decision} by {self.approver_id}"


class ChangeEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Change history is append-only: events are never updated.")

    def delete(self):
        raise TypeError("Change history is append-only: events are never deleted.")


class ChangeEvent(models.Model):
    """One step in a change's life: who, when, what, from what to what. Never edited or deleted."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        STATUS = "status", "Status changed"
        EDITED = "edited", "Edited"
        APPROVAL = "approval", "Approval"
        CONFLICTS = "conflicts", "Conflicts found"
        INCIDENT = "incident", "Incident linked"
        PROBLEM = "problem", "Named as a problem's fix"
        NOTICE = "notice", "Staff told"

    change = models.ForeignKey(Change, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(db_index=True)
    old_value = models.CharField(max_length=200, blank=True)
    new_value = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)

    objects = ChangeEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.change_id} {self.kind} {self.old_value} -> {self.new_value}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Change history is append-only: events are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Change history is append-only: events are never deleted.")
