"""The service portfolio and catalogue: what the ICT Unit offers, who supports it, and how urgent a fault is.

ITIL's portfolio holds every service in one of three lifecycle states: pipeline (coming), live (in the
catalogue, can be chosen on a ticket) and retired (kept for old tickets and reports).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords

from sites.models import AssetType


class Lifecycle(models.TextChoices):
    PIPELINE = "pipeline", "Pipeline (coming)"
    LIVE = "live", "Live"
    RETIRED = "retired", "Retired"


class Criticality(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class TicketKind(models.TextChoices):
    """What a ticket is; a service offers one or both."""

    INCIDENT = "incident", "Incident (something is broken)"
    REQUEST = "request", "Service request (I need something)"


class Impact(models.TextChoices):
    HIGH = "high", "High: a whole site, department or service for the public is affected"
    MEDIUM = "medium", "Medium: several people or one team are affected"
    LOW = "low", "Low: only me"


class Urgency(models.TextChoices):
    HIGH = "high", "High: work has stopped and there is no way around it"
    MEDIUM = "medium", "Medium: work is slowed; there is a way around it for now"
    LOW = "low", "Low: it can wait; work goes on"


class Priority(models.IntegerChoices):
    P1 = 1, "P1 Critical"
    P2 = 2, "P2 High"
    P3 = 3, "P3 Medium"
    P4 = 4, "P4 Low"
    P5 = 5, "P5 Planning"


class SupportGroup(models.Model):
    """A team of technicians that takes a service's tickets (e.g. Networks, Desktop and Printing)."""

    name = models.CharField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    email = models.EmailField(blank=True, help_text="Shared mailbox told of new tickets for this group.")
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="groups_led"
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="support_groups")
    history = HistoricalRecords(m2m_fields=[members])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ServiceCategory(models.Model):
    name = models.CharField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    display_order = models.PositiveSmallIntegerField(default=100)
    history = HistoricalRecords()

    class Meta:
        ordering = ["display_order", "name"]
        verbose_name_plural = "service categories"

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    name = models.CharField(max_length=120, unique=True)
    category = models.ForeignKey(ServiceCategory, on_delete=models.PROTECT, related_name="services")
    description = models.TextField(help_text="Written for staff: what the service is and when to ask for it.")
    keywords = models.CharField(
        max_length=250, blank=True, help_text="Words staff might search with, e.g. 'munsoft, mscoa, vote'."
    )
    status = models.CharField(
        max_length=10, choices=Lifecycle.choices, default=Lifecycle.PIPELINE, db_index=True
    )
    status_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    criticality = models.CharField(max_length=10, choices=Criticality.choices, default=Criticality.MEDIUM)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="services_owned",
        help_text="The service owner: the person accountable for the service.",
    )
    support_group = models.ForeignKey(
        SupportGroup,
        on_delete=models.PROTECT,
        related_name="services",
        help_text="Takes new tickets by default.",
    )
    offers_incidents = models.BooleanField("staff can report incidents", default=True)
    offers_requests = models.BooleanField("staff can make service requests", default=False)
    # A service request is not a fault: nobody is asked how bad it is. Its priority still comes from the
    # one matrix (catalogue/priority.py), from these two defaults.
    request_impact = models.CharField(
        "impact of a service request",
        max_length=10,
        choices=Impact.choices,
        default=Impact.LOW,
        help_text="Service requests are not asked impact and urgency: they take these two, and the "
        "priority matrix turns them into the request's priority.",
    )
    request_urgency = models.CharField(
        "urgency of a service request", max_length=10, choices=Urgency.choices, default=Urgency.MEDIUM
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["category__display_order", "category__name", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(offers_incidents=True) | models.Q(offers_requests=True),
                name="service_offers_incidents_or_requests",
                violation_error_message="A service must offer incidents, service requests or both.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def kinds(self) -> list[str]:
        return [
            kind
            for kind, offered in (
                (TicketKind.INCIDENT, self.offers_incidents),
                (TicketKind.REQUEST, self.offers_requests),
            )
            if offered
        ]

    @property
    def can_be_chosen(self) -> bool:
        """Only live services can be chosen on a new ticket."""
        return self.status == Lifecycle.LIVE


class CriticalPeriod(models.Model):
    """A time when a service matters most; a ticket logged in it is raised one priority level."""

    class Rule(models.TextChoices):
        LAST_WORKING_DAYS = "last_working_days", "Last working days of each month"
        FIRST_WORKING_DAYS = "first_working_days", "First working days of each month"
        DAYS_OF_MONTH = "days_of_month", "Days of each month (from day to day)"
        DATES_OF_YEAR = "dates_of_year", "Dates of each year (from date to date)"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="critical_periods")
    name = models.CharField(max_length=80, help_text="Said in the priority reason, e.g. 'payroll period'.")
    rule = models.CharField(max_length=20, choices=Rule.choices)
    working_days = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(15)]
    )
    from_day = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    to_day = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    from_month = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    to_month = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["service", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.describe()})"

    def describe(self) -> str:
        from .critical_periods import describe_period

        return describe_period(self)

    def clean(self) -> None:
        from .critical_periods import period_errors

        errors = period_errors(self)
        if errors:
            raise ValidationError(errors)


class RequestField(models.Model):
    """An extra question a service request asks, e.g. "Start date" for a new user account."""

    class FieldType(models.TextChoices):
        TEXT = "text", "Short text"
        LONG_TEXT = "long_text", "Long text"
        NUMBER = "number", "Whole number"
        DATE = "date", "Date"
        CHOICE = "choice", "Choice from a list"
        YES_NO = "yes_no", "Yes or no"
        EMAIL = "email", "E-mail address"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="request_fields")
    label = models.CharField(max_length=120)
    key = models.CharField(
        max_length=50,
        validators=[
            RegexValidator(r"^[a-z][a-z0-9_]*$", "Lower-case letters, digits and _, starting with a letter.")
        ],
        help_text="The answer's name in the API and exports, e.g. start_date.",
    )
    field_type = models.CharField(max_length=10, choices=FieldType.choices, default=FieldType.TEXT)
    required = models.BooleanField(default=True)
    help_text = models.CharField(max_length=250, blank=True)
    choices = models.TextField(blank=True, help_text="For 'Choice from a list': one choice per line.")
    display_order = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["service", "display_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["service", "key"], name="request_field_key_unique_per_service"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    def clean(self) -> None:
        if self.field_type == self.FieldType.CHOICE and len(self.choice_list) < 2:
            raise ValidationError({"choices": "A choice field needs at least two choices, one per line."})
        if self.field_type != self.FieldType.CHOICE and self.choices.strip():
            raise ValidationError({"choices": "Only a 'Choice from a list' field has choices."})


class AssetTypeService(models.Model):
    """Which service a kind of equipment belongs to: a ticket logged from an asset's label starts on it
    (a printer's label opens "Printing, copying and scanning"). Data, edited in admin."""

    asset_type = models.CharField(max_length=20, choices=AssetType.choices, unique=True)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="asset_types")
    history = HistoricalRecords()

    class Meta:
        ordering = ["asset_type"]
        verbose_name = "service for an asset type"
        verbose_name_plural = "services for asset types"

    def __str__(self) -> str:
        return f"{self.get_asset_type_display()}: {self.service.name}"


class PriorityMatrixCell(models.Model):
    """One cell of the impact x urgency matrix; the nine cells are data, edited in admin."""

    impact = models.CharField(max_length=10, choices=Impact.choices)
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["priority", "impact", "urgency"]
        verbose_name = "priority matrix cell"
        constraints = [
            models.UniqueConstraint(fields=["impact", "urgency"], name="priority_matrix_one_cell_per_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.impact} impact x {self.urgency} urgency = P{self.priority}"
