"""Queries that read sites."""

from django.db.models import QuerySet, Sum

from .models import Site

TABLE1_FIGURES = (
    "computer_users",
    "buildings",
    "buildings_connected",
    "network_points",
    "network_printers",
    "telephones",
)


def site_list() -> QuerySet[Site]:
    return Site.objects.all()


def site_totals(sites: QuerySet[Site]) -> dict[str, int]:
    """Totals of Table 1's figures over the given sites, summed in SQL."""
    totals = sites.order_by().aggregate(**{name: Sum(name) for name in TABLE1_FIGURES})
    return {name: totals[name] or 0 for name in TABLE1_FIGURES}
