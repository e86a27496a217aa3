import django_filters

from .models import Criticality, Lifecycle, Service, TicketKind


class ServiceFilter(django_filters.FilterSet):
    """Used by /api/services/ (and any page that lists services)."""

    status = django_filters.MultipleChoiceFilter(choices=Lifecycle.choices)
    criticality = django_filters.ChoiceFilter(choices=Criticality.choices)
    category = django_filters.NumberFilter(field_name="category_id")
    support_group = django_filters.NumberFilter(field_name="support_group_id")
    kind = django_filters.ChoiceFilter(choices=TicketKind.choices, method="filter_kind")

    class Meta:
        model = Service
        fields = ["status", "criticality", "category", "support_group"]

    def filter_kind(self, queryset, name, value):
        return (
            queryset.filter(offers_incidents=True)
            if value == TicketKind.INCIDENT
            else queryset.filter(offers_requests=True)
        )
