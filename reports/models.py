"""The monthly ManCo report: every run kept, with the numbers it was built from and its files.

A run's KPI snapshot is taken once, when it is built, so a report tabled in November shows the same
numbers in March. A signed-off run is frozen (reports.services refuses every change to it); building the
month again makes a new version.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

# The report's sections, in the order the PDF prints them; the manager may comment on each.
SECTIONS = {
    "summary": "Executive summary",
    "volumes": "Ticket volumes",
    "service_levels": "Service levels (SLA)",
    "resolution": "Resolution and quality",
    "satisfaction": "Customer satisfaction",
    "technicians": "Technicians",
    "major_incidents": "Major incidents and oldest open tickets",
}


class ReportSettings(models.Model):
    """One row: what the cost per ticket is worked out from (docs/kpis.md gives the formula)."""

    cost_per_technician_hour = models.DecimalField(
        "cost per technician-hour (R)",
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Salary and on-costs of one technician for one working hour, in rand. "
        "Leave empty to leave the cost per ticket out of the dashboard and the report.",
    )
    technicians = models.PositiveSmallIntegerField(
        "technicians on the desk",
        null=True,
        blank=True,
        help_text="How many full-time technicians the cost is for. Empty: the active people in the "
        "Technician role.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "report settings"
        verbose_name_plural = "report settings"
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="report_settings_singleton")]

    def __str__(self) -> str:
        return "Report settings"

    @classmethod
    def load(cls) -> ReportSettings:
        return cls.objects.filter(pk=1).first() or cls(pk=1)


def report_file_path(instance: ReportRun, filename: str) -> str:
    return f"reports/{instance.month:%Y-%m}/v{instance.version}/{filename}"


class ReportRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Being built"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    month = models.DateField(help_text="The first day of the month reported on.")
    version = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    automatic = models.BooleanField(default=False, help_text="Built by the monthly schedule on the 1st.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    progress_message = models.CharField(max_length=120, blank=True)
    error = models.CharField(max_length=500, blank=True)
    # The worker building it: its token, and when it last said it was alive (a stale one is taken over).
    build_token = models.CharField(max_length=32, blank=True)
    # "host pid start" of the process building it (common.leases): a task handed out again after that
    # process died takes the run over at once instead of waiting for the heartbeat to go stale.
    build_holder = models.CharField(max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    snapshot = models.JSONField(default=dict, blank=True, help_text="The KPI figures, as built.")
    commentary = models.JSONField(default=dict, blank=True, help_text="Section key -> the manager's words.")
    pdf = models.FileField(upload_to=report_file_path, max_length=200, blank=True)
    xlsx = models.FileField(upload_to=report_file_path, max_length=200, blank=True)
    csv = models.FileField(upload_to=report_file_path, max_length=200, blank=True)

    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    managers_notified_at = models.DateTimeField(null=True, blank=True)
    # New commentary or a sign-off redraws the PDF and XLSX in the background (reports.tasks.redraw_report):
    # the token of the redraw asked for last, empty once the files carry the run's current words.
    redraw_token = models.CharField(max_length=32, blank=True)
    redraw_requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["month", "version"], name="report_run_version_unique_per_month"),
            # Beat may fire twice (two beat processes, a restart on the 1st): one automatic run a month.
            models.UniqueConstraint(
                fields=["month"],
                condition=models.Q(automatic=True),
                name="report_run_one_automatic_per_month",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="report_run_progress_at_most_100"
            ),
            models.CheckConstraint(
                condition=models.Q(signed_off_at__isnull=True) | models.Q(status="done"),
                name="report_run_signed_off_only_when_done",
            ),
        ]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="report_run_status_idx")]

    def __str__(self) -> str:
        return f"{self.month:%B %Y} v{self.version}"

    @property
    def month_key(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def is_signed_off(self) -> bool:
        return self.signed_off_at is not None

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def files_pending(self) -> bool:
        """The PDF and XLSX are being redrawn with new commentary or the sign-off."""
        return bool(self.redraw_token)

    @property
    def is_settled(self) -> bool:
        """Nothing more is happening to the run in the background (its page stops watching)."""
        return self.is_finished and not self.files_pending

    def file_name(self, extension: str) -> str:
        return f"mbashe-ict-report-{self.month:%Y-%m}-v{self.version}.{extension}"


class StoredMonthFigures(models.Model):
    """The headline figures of one ended month for one dashboard scope, as last counted.

    The dashboard's and the KPI API's six-month trend read these instead of recounting half a year of
    tickets on every request (reports.stored_months, docs/kpis.md "Cost of the queries"). A row is kept
    until a change to a ticket of that month marks the month stale (StaleMonth) and a task recounts it;
    the monthly report build never reads them (its snapshot is always counted fresh).
    """

    month = models.DateField(help_text="The first day of the month.")
    scope = models.CharField(max_length=100, help_text="The dashboard's filters (kpis.Scope.key).")
    figures = models.JSONField(help_text="kpis.period_figures' entry: headline and details.")
    counted_at = models.DateTimeField()

    class Meta:
        verbose_name = "stored month figures"
        verbose_name_plural = "stored month figures"
        constraints = [
            models.UniqueConstraint(fields=["scope", "month"], name="stored_month_figures_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%B %Y} ({self.scope or 'all'})"


class StoredReport(models.Model):
    """A month's whole report (kpis.month_report) for one dashboard scope, as last counted.

    The dashboard and GET /api/reports/kpis/ only read it, never count: a month so far is recounted by
    beat, an ended month by a task when a change to one of its tickets marks it stale (StaleMonth). The
    monthly report build never reads it (reports.stored_months, docs/kpis.md).
    """

    month = models.DateField(help_text="The first day of the month.")
    scope = models.CharField(max_length=100, help_text="The dashboard's filters (kpis.Scope.key).")
    so_far = models.BooleanField(help_text="Counted while the month was still running.")
    # Empty until first counted: a request that found nothing wrote the row and queued the count.
    report = models.JSONField(
        null=True, blank=True, help_text="kpis.month_report's answer, as the dashboard and the API show it."
    )
    counted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "stored report"
        verbose_name_plural = "stored reports"
        constraints = [
            models.UniqueConstraint(fields=["scope", "month"], name="stored_report_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%B %Y}{' so far' if self.so_far else ''} ({self.scope or 'all'})"


class StaleMonth(models.Model):
    """A month whose stored figures a ticket change has made stale: written in the changing transaction
    (reports.stored_months.months_mark), removed by the task that recounted the month
    (reports.services.stale_months_recount) unless another change marked it again meanwhile (`mark`)."""

    month = models.DateField(unique=True, help_text="The first day of the month.")
    # A new token on every mark: the recount removes the row only if the token it read is still there.
    mark = models.CharField(max_length=32)
    marked_at = models.DateTimeField()
    # A recount in hand until then (a worker that died leaves it to the next sweep after this).
    counting_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "stale month"
        verbose_name_plural = "stale months"

    def __str__(self) -> str:
        return f"{self.month:%B %Y}"
