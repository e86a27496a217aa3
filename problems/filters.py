"""The problem list's filters, for the page and /api/problems/ alike."""

from __future__ import annotations

import django_filters

from catalogue.models import Service
from sites.models import Site

from .models import OPEN_PROBLEM_STATUSES, ProblemStatus


class ProblemFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=[("open", "Open (not resolved)"), *ProblemStatus.choices], method="filter_status"
    )
    service = django_filters.ModelChoiceFilter(queryset=Service.objects.order_by("name"))
    site = django_filters.ModelChoiceFilter(
        queryset=Site.objects.order_by("table_order", "name"), field_name="sites"
    )

    def filter_status(self, queryset, name, value):
        wanted = set(value)
        if "open" in wanted:
            wanted = (wanted - {"open"}) | set(OPEN_PROBLEM_STATUSES)
        return queryset.filter(status__in=wanted) if wanted else queryset
