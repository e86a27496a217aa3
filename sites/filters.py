import django_filters
from django.db.models import Q

from . import selectors
from .models import Asset, AssetStatus, AssetType, Building, Site, Town


class SiteFilter(django_filters.FilterSet):
    """Used by the sites page and /api/sites/ alike."""

    town = django_filters.ChoiceFilter(choices=Town.choices)
    q = django_filters.CharFilter(method="filter_q", label="Search")
    connected = django_filters.BooleanFilter(method="filter_connected", label="Connected to the network")

    class Meta:
        model = Site
        fields = ["town"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(connection_type__icontains=value))

    def filter_connected(self, queryset, name, value):
        return queryset.filter(buildings_connected__gt=0) if value else queryset.filter(buildings_connected=0)


class AssetFilter(django_filters.FilterSet):
    """Used by the site page, the asset list and /api/assets/ alike."""

    site = django_filters.ModelChoiceFilter(queryset=Site.objects.all())
    town = django_filters.ChoiceFilter(field_name="site__town", choices=Town.choices, label="Town")
    type = django_filters.ChoiceFilter(choices=AssetType.choices)
    status = django_filters.ChoiceFilter(choices=AssetStatus.choices)
    building = django_filters.ModelChoiceFilter(queryset=Building.objects.select_related("site"))
    q = django_filters.CharFilter(method="filter_q", label="Tag, serial, make or model")

    class Meta:
        model = Asset
        fields = ["site", "town", "type", "status", "building"]

    def filter_q(self, queryset, name, value):
        return selectors.asset_search(value, queryset=queryset)

    @classmethod
    def for_site(cls, data, *, site: Site, queryset):
        """The filter as a site's pages show it: no site or town to choose, only the site's buildings."""
        asset_filter = cls(data, queryset=queryset)
        del asset_filter.filters["site"], asset_filter.filters["town"]
        asset_filter.filters["building"].queryset = site.building_set.order_by("name")
        return asset_filter
