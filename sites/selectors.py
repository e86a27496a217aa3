"""Queries that read sites and their assets."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When

from .models import Asset, AssetStatus, AssetType, Building, Site

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


def site_detail(site_id: int) -> Site:
    """One site; raises Site.DoesNotExist."""
    return Site.objects.get(pk=site_id)


def site_buildings(site: Site) -> QuerySet[Building]:
    """The site's buildings, each with the number of assets in it (`asset_count`), counted in SQL."""
    return site.building_set.annotate(asset_count=Count("assets")).order_by("name")


@dataclass(frozen=True)
class AssetSummaryRow:
    type_label: str
    counts: list[int]  # one per AssetStatus, in its order
    total: int


@dataclass(frozen=True)
class AssetSummary:
    status_labels: list[str]
    rows: list[AssetSummaryRow]  # only the types the site has
    status_totals: list[int]
    total: int


def site_asset_summary(site: Site) -> AssetSummary:
    """How many assets of each type the site has, in each status: one grouped query."""
    counts = {status: Count("pk", filter=Q(status=status)) for status in AssetStatus.values}
    grouped = {
        row["type"]: row
        for row in Asset.objects.filter(site=site)
        .order_by()
        .values("type")
        .annotate(total=Count("pk"), **counts)
    }
    rows = [
        AssetSummaryRow(
            type_label=str(label),
            counts=[grouped[value][status] for status in AssetStatus.values],
            total=grouped[value]["total"],
        )
        for value, label in AssetType.choices
        if value in grouped
    ]
    # Adding up a handful of already-counted cells; the counting itself happened in SQL.
    status_totals = [sum(row.counts[i] for row in rows) for i in range(len(AssetStatus.values))]
    return AssetSummary(
        status_labels=[str(label) for label in AssetStatus.labels],
        rows=rows,
        status_totals=status_totals,
        total=sum(status_totals),
    )


def asset_list(*, site: Site | None = None) -> QuerySet[Asset]:
    """Assets by tag, with what a list row shows (site, building, assigned person, far site)."""
    assets = Asset.objects.select_related("site", "building", "assigned_to", "far_site").order_by("asset_tag")
    if site is not None:
        assets = assets.filter(site=site)
    return assets


def asset_detail(asset_tag: str) -> Asset:
    """One asset by its tag (any case); raises Asset.DoesNotExist."""
    return asset_list().get(asset_tag=asset_tag.upper())


def asset_search(q: str, queryset: QuerySet[Asset] | None = None) -> QuerySet[Asset]:
    """Assets whose tag or serial is q (any case) first, then those whose tag, serial, make or model
    contains it."""
    assets = asset_list() if queryset is None else queryset
    q = q.strip()
    if not q:
        return assets
    exact = Q(asset_tag__iexact=q) | Q(serial__iexact=q)
    partial = (
        Q(asset_tag__icontains=q) | Q(serial__icontains=q) | Q(make__icontains=q) | Q(model__icontains=q)
    )
    rank = Case(When(exact, then=Value(0)), default=Value(1), output_field=IntegerField())
    return assets.filter(partial).annotate(search_rank=rank).order_by("search_rank", "asset_tag")


def asset_exact_tag(q: str) -> str | None:
    """The tag of the asset whose tag is exactly q (any case), for a search that should open it."""
    return Asset.objects.filter(asset_tag=q.strip().upper()).values_list("asset_tag", flat=True).first()


def labels_for_site(site: Site) -> QuerySet[Asset]:
    """The site's assets that carry a label: everything not retired."""
    return asset_list(site=site).exclude(status=AssetStatus.RETIRED)
