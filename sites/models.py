"""Sites and buildings of Mbashe Local Municipality.

A site's counts (computer users, buildings, network points, printers, telephones) are the figures of
Table 1 of the ICT Service Strategy 2025-26: the demand the service desk was planned for.
"""

from django.db import models


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
