"""Promises: business calendars, service level agreements and their targets per priority.

The clocks themselves (slas.clocks) are derived from each ticket's history; what is stored here are the
rules they are derived with, and the warnings and breaches recorded once each (SlaEvent).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from catalogue.models import Priority

if TYPE_CHECKING:
    from catalogue.models import Service, SupportGroup


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class BusinessCalendar(models.Model):
    """When the service desk counts time: working hours per weekday, public holidays and closed days."""

    name = models.CharField(max_length=80, unique=True)
    always_open = models.BooleanField("24 x 7", default=False, help_text="Counts every minute of every day.")
    public_holidays = models.BooleanField(
        "closed on South African public holidays",
        default=True,
        help_text="From the holidays package, with the rule that a Sunday holiday is observed on Monday.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WorkingHours(models.Model):
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["calendar", "weekday", "opens"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="hours_close_after_open"
            ),
            models.UniqueConstraint(fields=["calendar", "weekday", "opens"], name="hours_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"

    def clean(self) -> None:
        if self.opens is not None and self.closes is not None and self.closes <= self.opens:
            raise ValidationError({"closes": "Closing time must be after opening time."})
        if self.calendar_id and self.opens and self.closes:
            overlapping = WorkingHours.objects.filter(
                calendar_id=self.calendar_id,
                weekday=self.weekday,
                opens__lt=self.closes,
                closes__gt=self.opens,
            ).exclude(pk=self.pk)
            if overlapping.exists():
                raise ValidationError("These hours overlap other hours on the same day.")


class ClosedDay(models.Model):
    """Extra days the calendar is closed, e.g. the municipal shutdown between Christmas and New Year."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="closed_days")
    name = models.CharField(max_length=80)
    first_day = models.DateField()
    last_day = models.DateField()

    class Meta:
        ordering = ["calendar", "first_day"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_day__gte=models.F("first_day")), name="closed_days_in_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.first_day} to {self.last_day})"

    def clean(self) -> None:
        if self.first_day and self.last_day and self.last_day < self.first_day:
            raise ValidationError({"last_day": "The last day cannot be before the first."})
        if self.first_day and self.last_day and (self.last_day - self.first_day).days > 366:
            raise ValidationError({"last_day": "A closed period can be at most a year long."})


class OutagePolicy(models.TextChoices):
    """Which outages of a ticket's site stop its clocks (slas.unavailability, docs/sla.md)."""

    UNPLANNED = "unplanned", "Load-shedding and unplanned outages of the site (not planned ones)"
    ALL = "all", "Every outage of the site, planned ones too"
    NEVER = "never", "None: the clocks run through outages"


class ServiceLevelAgreement(models.Model):
    """A named agreement with staff: response and resolution targets per priority, in a calendar."""

    name = models.CharField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT, related_name="agreements")
    is_default = models.BooleanField(
        default=False, help_text="Applies to every service not named in another SLA."
    )
    services: models.ManyToManyField[Service, SlaService] = models.ManyToManyField(
        "catalogue.Service", through="SlaService", blank=True, related_name="+"
    )
    review_date = models.DateField(
        help_text="When the agreement is next reviewed; the ICT manager is reminded 30 days before."
    )
    pause_for_outages = models.CharField(
        "clocks pause for outages",
        max_length=12,
        choices=OutagePolicy.choices,
        default=OutagePolicy.UNPLANNED,
        help_text="While the ticket's site is down (its power or its link), the time is not counted.",
    )
    # The review date the ICT manager was last reminded of: one reminder per date, however often beat runs.
    review_reminded_for = models.DateField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = "service level agreement"
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="sla_one_default"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SlaService(models.Model):
    """Which SLA covers a service: at most one each."""

    service = models.OneToOneField("catalogue.Service", on_delete=models.CASCADE, related_name="sla_link")
    sla = models.ForeignKey(ServiceLevelAgreement, on_delete=models.CASCADE, related_name="service_links")

    class Meta:
        verbose_name = "service covered"

    def __str__(self) -> str:
        return f"{self.service} under {self.sla}"


class SlaTarget(models.Model):
    sla = models.ForeignKey(ServiceLevelAgreement, on_delete=models.CASCADE, related_name="targets")
    priority = models.PositiveSmallIntegerField(choices=Priority.choices)
    response_minutes = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(60 * 24 * 60)],
        help_text="Business minutes to the first response.",
    )
    resolution_minutes = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(60 * 24 * 365)],
        help_text="Business minutes to resolution.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["sla", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["sla", "priority"], name="sla_target_one_per_priority"),
            models.CheckConstraint(
                condition=models.Q(resolution_minutes__gte=models.F("response_minutes")),
                name="sla_target_resolution_after_response",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sla} P{self.priority}"


class ClockKind(models.TextChoices):
    RESPONSE = "response", "Response"
    RESOLUTION = "resolution", "Resolution"


class ClockState(models.TextChoices):
    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused (pending)"
    STOPPED = "stopped", "Stopped"


class SlaClock(models.Model):
    """One of a ticket's two clocks, as last derived from its history (slas.clocks.clocks_derive).

    `next_event_at` is the next instant the beat sweep must look at (the warning, then the breach); it is
    empty while the clock is paused or stopped, so a paused clock never fires a stale warning.
    """

    # By string: tickets live in `incidents`, to the right of `slas` (docs/architecture.md).
    ticket = models.ForeignKey("incidents.Ticket", on_delete=models.CASCADE, related_name="sla_clocks")
    kind = models.CharField(max_length=10, choices=ClockKind.choices)
    sla = models.ForeignKey(ServiceLevelAgreement, on_delete=models.PROTECT, related_name="+")
    priority = models.PositiveSmallIntegerField(choices=Priority.choices)
    target_minutes = models.PositiveIntegerField()
    state = models.CharField(max_length=8, choices=ClockState.choices)
    elapsed_seconds = models.PositiveIntegerField(help_text="Business seconds counted up to `state_since`.")
    state_since = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True, help_text="When the target ran out, if it did.")
    stopped_at = models.DateTimeField(null=True, blank=True)
    next_event_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "kind"], name="sla_clock_one_per_kind")]
        indexes = [models.Index(fields=["next_event_at"], name="sla_clock_next_event_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.state}"

    @property
    def met(self) -> bool | None:
        """For a stopped clock: whether it stopped within its target (slas.outcomes decides)."""
        from .outcomes import clock_met

        return clock_met(self)


class SlaEvent(models.Model):
    """A warning (75 % of the target used) or a breach (100 %), recorded once per ticket, clock and kind."""

    class Kind(models.TextChoices):
        WARNING = "warning", "Warning (75 %)"
        BREACH = "breach", "Breach"

    ticket = models.ForeignKey("incidents.Ticket", on_delete=models.CASCADE, related_name="sla_events")
    clock = models.CharField(max_length=10, choices=ClockKind.choices)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    due_at = models.DateTimeField(help_text="When it fell due.")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "clock", "kind"], name="sla_event_once_per_ticket_clock_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.clock} {self.kind}"


# --- operational level agreements and underpinning contracts ---------------------------------------------


class Supplier(models.Model):
    """An outside party the ICT Unit depends on to keep its SLAs, e.g. the MPLS provider of the remote
    sites' links or the maintainer of the financial system; bound by an underpinning contract."""

    name = models.CharField(max_length=80, unique=True)
    contract_reference = models.CharField(max_length=80, blank=True)
    contact_name = models.CharField(max_length=120, blank=True)
    phone = models.CharField(
        max_length=40, blank=True, help_text="Where faults are logged with the supplier."
    )
    email = models.EmailField(blank=True)
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OperationalAgreement(models.Model):
    """What a support group (an OLA) or an outside supplier (an underpinning contract, UC) promises the
    service desk, per priority, for the time it holds a ticket. Counted like the SLA clocks, reported apart
    from them (docs/sla.md, "Operational level agreements and underpinning contracts")."""

    class Kind(models.TextChoices):
        OLA = "ola", "Operational level agreement (support group)"
        UC = "uc", "Underpinning contract (supplier)"

    name = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=3, choices=Kind.choices)
    group = models.OneToOneField(
        "catalogue.SupportGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="operational_agreement",
        help_text="For an OLA: the support group that promises.",
    )
    supplier = models.OneToOneField(
        Supplier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contract",
        help_text="For an underpinning contract: the supplier bound by it.",
    )
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT, related_name="operational")
    description = models.TextField(blank=True)
    review_date = models.DateField(help_text="When the agreement or contract is next reviewed.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = "OLA or underpinning contract"
        verbose_name_plural = "OLAs and underpinning contracts"
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="ola", group__isnull=False, supplier__isnull=True)
                    | models.Q(kind="uc", supplier__isnull=False, group__isnull=True)
                ),
                name="operational_agreement_one_party",
                violation_error_message="An OLA names a support group; an underpinning contract a supplier.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == self.Kind.OLA and (self.group_id is None or self.supplier_id is not None):
            raise ValidationError({"group": "An OLA names a support group (and no supplier)."})
        if self.kind == self.Kind.UC and (self.supplier_id is None or self.group_id is not None):
            raise ValidationError({"supplier": "An underpinning contract names a supplier (and no group)."})

    @property
    def party(self) -> SupportGroup | Supplier | None:
        return self.group if self.kind == self.Kind.OLA else self.supplier


class OperationalTarget(models.Model):
    agreement = models.ForeignKey(OperationalAgreement, on_delete=models.CASCADE, related_name="targets")
    priority = models.PositiveSmallIntegerField(choices=Priority.choices)
    response_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60 * 24 * 60)],
        help_text="OLA only: business minutes from the group receiving the ticket to a member taking it.",
    )
    resolution_minutes = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(60 * 24 * 365)],
        help_text="Business minutes the group or supplier may hold the ticket before it is resolved "
        "(or, for a supplier, handed back).",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement", "priority"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "priority"], name="operational_target_one_per_priority"
            ),
            models.CheckConstraint(
                condition=models.Q(response_minutes__isnull=True)
                | models.Q(resolution_minutes__gte=models.F("response_minutes")),
                name="operational_target_resolution_after_response",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} P{self.priority}"


class OperationalClock(models.Model):
    """One clock of one holding: the time a support group (OLA) or supplier (UC) held a ticket, from
    `held_from` to `held_until` (empty while it still holds it), derived from the ticket's history by
    slas.operational like the SLA clocks. Rows are replaced whenever the ticket's clocks are re-derived."""

    ticket = models.ForeignKey(
        "incidents.Ticket", on_delete=models.CASCADE, related_name="operational_clocks"
    )
    agreement = models.ForeignKey(OperationalAgreement, on_delete=models.PROTECT, related_name="clocks")
    kind = models.CharField(max_length=10, choices=ClockKind.choices)
    held_from = models.DateTimeField()
    held_until = models.DateTimeField(null=True, blank=True)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices)
    target_minutes = models.PositiveIntegerField()
    state = models.CharField(max_length=8, choices=ClockState.choices)
    elapsed_seconds = models.PositiveIntegerField(help_text="Business seconds counted up to `state_since`.")
    state_since = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["held_from", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "agreement", "held_from", "kind"], name="operational_clock_once_per_holding"
            )
        ]
        indexes = [models.Index(fields=["agreement", "stopped_at"], name="operational_clock_report_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.agreement} {self.kind} {self.state}"


class ClockRecalculation(models.Model):
    """A request to re-derive the clocks of the open tickets under some agreements (all when `sla_ids` is
    empty), written in the same transaction as the edit that calls for it. The worker claims every
    waiting request at once and recalculates once for all of them; beat picks up a request whose worker
    was lost, so an edit made while Redis or the worker was down is never forgotten."""

    sla_ids = models.JSONField(null=True, blank=True, help_text="Empty: every open ticket.")
    site_ids = models.JSONField(
        null=True, blank=True, help_text="Only the open tickets at these sites (an outage there changed)."
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    tickets = models.PositiveIntegerField(null=True, blank=True, help_text="Open tickets recalculated.")

    class Meta:
        ordering = ["requested_at", "pk"]
        indexes = [
            models.Index(
                fields=["requested_at"],
                name="clock_recalc_waiting_idx",
                condition=models.Q(finished_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"recalculation {self.pk} ({'all' if self.sla_ids is None else self.sla_ids})"
