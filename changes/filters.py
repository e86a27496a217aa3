"""The one change filter: the changes page and /api/changes/ alike (status, type, site, service, planned
between two dates)."""

from __future__ import annotations

import django_filters
from django import forms

from catalogue.models import Service
from sites.models import Site

from .models import Change, ChangeStatus, ChangeType


class ChangeFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ChangeStatus.choices)
    type = django_filters.ChoiceFilter(choices=ChangeType.choices)
    site = django_filters.ModelChoiceFilter(
        field_name="sites", queryset=Site.objects.order_by("name").only("name"), distinct=True
    )
    service = django_filters.ModelChoiceFilter(
        field_name="services", queryset=Service.objects.order_by("name").only("name"), distinct=True
    )
    # "Planned between": the change's window touches [planned_from, planned_to] (local dates).
    planned_from = django_filters.DateFilter(
        field_name="planned_end",
        lookup_expr="date__gte",
        label="Planned from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    planned_to = django_filters.DateFilter(
        field_name="planned_start",
        lookup_expr="date__lte",
        label="Planned to",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Change
        fields = ["status", "type", "site", "service", "planned_from", "planned_to"]
