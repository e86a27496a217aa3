"""Sites and buildings of Mbashe Local Municipality.

A site's counts (computer users, buildings, network points, printers, telephones) are the figures of
Table 1 of the ICT Service Strategy 2025-26: the demand the service desk was planned for.
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords


class Town(models.TextChoices):
    DUTYWA = "Dutywa", "Dutywa"
    WILLOWVALE = "Willowvale", "Willowvale"
    ELLIOTDALE = "Elliotdale", "Elliotdale"


class Site(models.Model):
    name = models.CharField(max_length=120, unique=True)
    town = models.CharField(max_length=40, choices=Town.choices, db_index=True)
    connection_type = models.CharField(
        max_length=120, help_text="How the site reaches the municipal network, as Table 1 puts it."
    )
    computer_users = models.PositiveIntegerField(default=0)
    buildings = models.PositiveIntegerField("number of buildings", default=0)
    buildings_connected = models.PositiveIntegerField("buildings connected to the network", default=0)
    network_points = models.PositiveIntegerField("network points (approx.)", default=0)
    network_printers = models.PositiveIntegerField(default=0)
    telephones = models.PositiveIntegerField(default=0)
    # Table 1's column order, so the sites page reads like the strategy.
    table_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["table_order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(buildings_connected__lte=models.F("buildings")),
                name="site_connected_buildings_within_buildings",
                violation_error_message="A site cannot have more connected buildings than buildings.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_connected(self) -> bool:
        return self.buildings_connected > 0


class Building(models.Model):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="building_set")
    name = models.CharField(max_length=120)
    connected = models.BooleanField("connected to the network", default=False)
    connection_type = models.CharField(max_length=120, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["site__table_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="building_name_unique_per_site"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.site.name})"


class AssetType(models.TextChoices):
    DESKTOP = "desktop", "Desktop"
    LAPTOP = "laptop", "Laptop"
    PRINTER = "printer", "Printer"
    TELEPHONE = "telephone", "Telephone"
    NETWORK_POINT = "network_point", "Network point"
    NETWORK_LINK = "network_link", "Network link"
    SWITCH = "switch", "Switch"
    SERVER = "server", "Server"
    OTHER = "other", "Other"


class AssetStatus(models.TextChoices):
    IN_USE = "in_use", "In use"
    IN_STORE = "in_store", "In store"
    IN_REPAIR = "in_repair", "In repair"
    RETIRED = "retired", "Retired"


class ConnectionType(models.TextChoices):
    MPLS = "mpls", "MPLS"
    FIBRE = "fibre", "Fibre"
    WIRELESS = "wireless", "Wireless"


# Capital letters and digits in groups joined by single dashes ("MLM-PRN-0001"): nothing that could carry
# markup or a path into a page, a URL or a QR code.
ASSET_TAG_PATTERN = r"^[A-Z0-9]+(?:-[A-Z0-9]+)*\Z"
asset_tag_validator = RegexValidator(
    ASSET_TAG_PATTERN,
    "Use capital letters, digits and single dashes only, e.g. MLM-PRN-0001.",
    code="invalid_asset_tag",
)


class Asset(models.Model):
    """A configuration item: a piece of ICT equipment, or a network link between two sites.

    A network link's two ends are `site` and `far_site` (no far site: a link between buildings of one
    site); only links have a connection type. The history (who changed what, when) is kept by
    django-simple-history and shown to admins.
    """

    asset_tag = models.CharField(
        max_length=32,
        unique=True,
        validators=[asset_tag_validator],
        help_text="The label on the equipment, e.g. MLM-PRN-0001.",
    )
    type = models.CharField(max_length=20, choices=AssetType.choices)
    serial = models.CharField("serial number", max_length=64, blank=True, db_index=True)
    make = models.CharField(max_length=80, blank=True)
    model = models.CharField(max_length=80, blank=True)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="assets")
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, null=True, blank=True, related_name="assets"
    )
    location = models.CharField(
        max_length=120,
        blank=True,
        help_text="Where in the building, as staff would say it, e.g. '2nd floor, Finance office'.",
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assets",
        help_text="The person who uses it, if it is one person's.",
    )
    status = models.CharField(max_length=20, choices=AssetStatus.choices, default=AssetStatus.IN_USE)
    purchase_date = models.DateField(null=True, blank=True)
    warranty_expires = models.DateField(null=True, blank=True)
    connection_type = models.CharField(
        max_length=20, choices=ConnectionType.choices, blank=True, help_text="Network links only."
    )
    far_site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="far_end_links",
        help_text="Network links only: the site at the other end (blank for a link inside one site).",
    )
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["asset_tag"]
        indexes = [models.Index(fields=["site", "type", "status"], name="asset_site_type_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(warranty_expires__isnull=True)
                | models.Q(purchase_date__isnull=True)
                | models.Q(warranty_expires__gte=models.F("purchase_date")),
                name="asset_warranty_not_before_purchase",
                violation_error_message="The warranty cannot end before the purchase date.",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(type=AssetType.NETWORK_LINK, connection_type__in=ConnectionType.values)
                    | (~models.Q(type=AssetType.NETWORK_LINK) & models.Q(connection_type=""))
                ),
                name="asset_connection_type_only_and_always_for_links",
                violation_error_message="A network link needs a connection type; other assets have none.",
            ),
            models.CheckConstraint(
                condition=models.Q(type=AssetType.NETWORK_LINK) | models.Q(far_site__isnull=True),
                name="asset_far_site_only_for_links",
                violation_error_message="Only a network link has a far site.",
            ),
            models.CheckConstraint(
                condition=models.Q(far_site__isnull=True) | ~models.Q(far_site=models.F("site")),
                name="asset_link_joins_two_sites",
                violation_error_message="A link's far site must be another site.",
            ),
        ]

    def __str__(self) -> str:
        return " ".join(part for part in (self.asset_tag, self.make, self.model) if part)

    @property
    def where(self) -> str:
        """'HP LaserJet Pro M404dn, Dutywa Main Building, 2nd floor': the device and where it stands, as
        the log form says it (needs site and building). A building named like its site is not repeated."""
        parts = [" ".join(part for part in (self.make, self.model) if part) or self.get_type_display()]
        parts.append(self.site.name)
        if self.building_id and self.building.name.lower() not in self.site.name.lower():
            parts.append(self.building.name)
        if self.location:
            parts.append(self.location)
        return ", ".join(parts)

    @property
    def is_link(self) -> bool:
        return self.type == AssetType.NETWORK_LINK

    @property
    def link_description(self) -> str:
        """'Dutywa TRC -> Dutywa Main Building, wireless'; empty for anything but a link."""
        if not self.is_link:
            return ""
        ends = f"{self.site.name} -> {self.far_site.name}" if self.far_site_id else self.site.name
        return f"{ends}, {self.get_connection_type_display().lower()}"

    def clean(self) -> None:
        """The rules that span fields, in plain words (the database constraints are the backstop)."""
        errors: dict[str, list[str]] = {}
        if self.building_id and self.site_id and self.building.site_id != self.site_id:
            errors.setdefault("building", []).append("This building is not at the asset's site.")
        if self.is_link and not self.connection_type:
            errors.setdefault("connection_type", []).append("A network link needs a connection type.")
        if not self.is_link and self.connection_type:
            errors.setdefault("connection_type", []).append("Only a network link has a connection type.")
        if not self.is_link and self.far_site_id:
            errors.setdefault("far_site", []).append("Only a network link has a far site.")
        if self.far_site_id and self.far_site_id == self.site_id:
            errors.setdefault("far_site", []).append("A link's far site must be another site.")
        if self.purchase_date and self.warranty_expires and self.warranty_expires < self.purchase_date:
            errors.setdefault("warranty_expires", []).append(
                "The warranty cannot end before the purchase date."
            )
        if errors:
            raise ValidationError(errors)

    def warranty_state(self, today: date) -> str:
        """'in warranty', 'expired' or '' (not recorded), as of the given day."""
        if not self.warranty_expires:
            return ""
        return "in warranty" if self.warranty_expires >= today else "expired"
