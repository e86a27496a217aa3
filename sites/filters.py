import django_filters
from django.db.models import Q

from .models import Site, Town


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
