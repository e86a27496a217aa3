"""Outages: a site, its power, a network link or a service unavailable for a while (docs/outages.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class OutageKind(models.TextChoices):
    # The values are what an agreement's OutagePolicy names (slas/unavailability.py PAUSING_KINDS).
    PLANNED = "planned", "Planned (maintenance, a change)"
    LOAD_SHEDDING = "load_shedding", "Load-shedding"
    UNPLANNED = "unplanned", "Unplanned"


class OutageScope(models.TextChoices):
    SITE = "site", "The whole site"
    POWER = "power", "The site's power"
    LINK = "link", "A network link (the site it cuts off)"
    SERVICE = "service", "A service"


# The scopes that make a site unavailable, so that its tickets' clocks may pause.
SITE_SCOPES = (OutageScope.SITE, OutageScope.POWER, OutageScope.LINK)


class OutageCause(models.TextChoices):
    MAINTENANCE = "maintenance", "Maintenance"
    CHANGE = "change", "A change"
    LOAD_SHEDDING = "load_shedding", "Load-shedding"
    POWER_FAILURE = "power_failure", "Power failure"
    LINK_DOWN = "link_down", "Link down"
    SUPPLIER_FAULT = "supplier_fault", "Supplier fault"
    THEFT_VANDALISM = "theft_vandalism", "Theft or vandalism"
    OTHER = "other", "Other"


class OutageSource(models.TextChoices):
    DESK = "desk", "Recorded by the desk"
    SCHEDULE = "schedule", "Load-shedding schedule"
    ALERTMANAGER = "alertmanager", "Monitoring (Alertmanager)"
    PROBE = "probe", "Monitoring (built-in probe)"


class Outage(models.Model):
    scope = models.CharField(max_length=10, choices=OutageScope.choices)
    kind = models.CharField(max_length=16, choices=OutageKind.choices)
    cause = models.CharField(max_length=20, choices=OutageCause.choices, default=OutageCause.OTHER)
    detail = models.TextField("what happened", blank=True)
    site = models.ForeignKey(
        "sites.Site",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outages",
        help_text="The site that is unavailable (for a link: the site it cuts off).",
    )
    asset = models.ForeignKey(
        "sites.Asset",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outages",
        help_text="The network link that is down (links only).",
    )
    service = models.ForeignKey(
        "catalogue.Service", on_delete=models.PROTECT, null=True, blank=True, related_name="outages"
    )
    supplier = models.ForeignKey(
        "slas.Supplier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outages",
        help_text="When a supplier's service failed.",
    )
    major_incident = models.ForeignKey(
        "incidents.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="outages"
    )
    tickets = models.ManyToManyField(
        "incidents.Ticket",
        blank=True,
        related_name="outages_during",
        help_text="Tickets logged at the site while it lasted (pre-linked; resolved together when it ends).",
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True, help_text="Empty while it lasts.")
    expected_end_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=12, choices=OutageSource.choices, default=OutageSource.DESK)
    # Alertmanager's fingerprint or the probe's target: one outage per firing alert, however often sent.
    fingerprint = models.CharField(max_length=120, blank=True)
    schedule_key = models.CharField(
        max_length=80, blank=True, help_text="Load-shedding: the schedule's area, day and block."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [
            models.Index(fields=["site", "started_at"], name="outage_site_start_idx"),
            models.Index(fields=["started_at"], name="outage_open_idx", condition=Q(ended_at__isnull=True)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gt=F("started_at")),
                name="outage_ends_after_it_starts",
                violation_error_message="An outage ends after it starts.",
            ),
            models.CheckConstraint(
                condition=Q(scope="service", service__isnull=False)
                | (~Q(scope="service") & Q(site__isnull=False)),
                name="outage_names_what_is_down",
                violation_error_message="Name the site that is down (or, for a service outage, the service).",
            ),
            models.CheckConstraint(
                condition=~Q(scope="link") | Q(asset__isnull=False),
                name="outage_link_names_the_link",
                violation_error_message="A link outage names the network link.",
            ),
            models.UniqueConstraint(
                fields=["fingerprint"],
                condition=Q(ended_at__isnull=True) & ~Q(fingerprint=""),
                name="outage_one_open_per_fingerprint",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"OUT-{self.pk:06d}" if self.pk else "OUT-(new)"

    @property
    def title(self) -> str:
        """In the words of the banner: "Willowvale link down", "Dutywa Main Building load-shedding"."""
        what = ""
        if self.scope == OutageScope.SERVICE and self.service is not None:
            what = self.service.name
        elif self.site is not None:
            what = self.site.name
        if self.kind == OutageKind.LOAD_SHEDDING:
            return f"{what} load-shedding"
        return {
            OutageScope.SITE: f"{what} unavailable",
            OutageScope.POWER: f"{what} power off",
            OutageScope.LINK: f"{what} link down",
            OutageScope.SERVICE: f"{what} unavailable",
        }[OutageScope(self.scope)]

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class LoadSheddingArea(models.Model):
    """A supply area of the load-shedding schedule (Eskom's or the municipality's) and the sites in it."""

    name = models.CharField(max_length=80, unique=True)
    sites = models.ManyToManyField("sites.Site", related_name="load_shedding_areas", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LoadSheddingBlock(models.Model):
    """One block of the schedule: in this area, on this day of every month, from stage `stage` up, the
    power is off from `start` to `end` (local time; an end before the start runs past midnight)."""

    area = models.ForeignKey(LoadSheddingArea, on_delete=models.CASCADE, related_name="blocks")
    stage = models.PositiveSmallIntegerField()
    day = models.PositiveSmallIntegerField(help_text="Day of the month, 1-31.")
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["area", "day", "start", "stage"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stage__gte=1, stage__lte=8), name="load_shedding_stage_1_to_8"
            ),
            models.CheckConstraint(condition=Q(day__gte=1, day__lte=31), name="load_shedding_day_1_to_31"),
        ]

    def __str__(self) -> str:
        return f"{self.area} stage {self.stage}, day {self.day}, {self.start:%H:%M}-{self.end:%H:%M}"


class LoadSheddingStage(models.Model):
    """The stage announced, from when (0: no load-shedding). The newest row in force is the stage."""

    stage = models.PositiveSmallIntegerField()
    effective_from = models.DateTimeField()
    announced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_from", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stage__gte=0, stage__lte=8), name="load_shedding_stage_0_to_8"
            ),
        ]

    def __str__(self) -> str:
        return f"stage {self.stage} from {self.effective_from:%Y-%m-%d %H:%M}"


class LinkProbe(models.Model):
    """The built-in probe of a network link: beat connects to `host`:`port` (e.g. the far end's router)
    every minute; `failures_to_open` failures in a row open an outage of the link, `successes_to_close`
    successes in a row end it, so one lost packet is not an outage."""

    asset = models.OneToOneField("sites.Asset", on_delete=models.CASCADE, related_name="probe")
    host = models.CharField(max_length=255)
    port = models.PositiveIntegerField(default=443)
    failures_to_open = models.PositiveSmallIntegerField(default=3)
    successes_to_close = models.PositiveSmallIntegerField(default=2)
    enabled = models.BooleanField(default=True)
    failures_in_a_row = models.PositiveIntegerField(default=0, editable=False)
    successes_in_a_row = models.PositiveIntegerField(default=0, editable=False)
    last_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_result = models.CharField(max_length=200, blank=True, editable=False)

    class Meta:
        ordering = ["asset__asset_tag"]
        constraints = [
            models.CheckConstraint(
                condition=Q(failures_to_open__gte=1, successes_to_close__gte=1, port__gte=1, port__lte=65535),
                name="link_probe_sane_thresholds",
            )
        ]

    def __str__(self) -> str:
        return f"probe of {self.asset} at {self.host}:{self.port}"

    @property
    def fingerprint(self) -> str:
        return f"probe:{self.pk}"
