"""Narrowing the list of tickets behind a figure: the dashboard's filters and a breakdown row's value."""

from __future__ import annotations

import django_filters

from catalogue.models import Priority, Service, ServiceCategory, SupportGroup, TicketKind
from incidents.models import Channel, Ticket
from incidents.selectors import support_people
from sites.models import Site, Town


class FigureTicketFilter(django_filters.FilterSet):
    town = django_filters.ChoiceFilter(field_name="site__town", choices=Town.choices)
    site = django_filters.ModelChoiceFilter(queryset=Site.objects.all())
    group = django_filters.ModelChoiceFilter(queryset=SupportGroup.objects.all())
    priority = django_filters.ChoiceFilter(choices=Priority.choices)
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    kind = django_filters.ChoiceFilter(choices=TicketKind.choices)
    service = django_filters.ModelChoiceFilter(queryset=Service.objects.all())
    category = django_filters.ModelChoiceFilter(
        field_name="service__category", queryset=ServiceCategory.objects.all()
    )
    assignee = django_filters.ModelChoiceFilter(queryset=support_people())

    class Meta:
        model = Ticket
        fields = ["town", "site", "group", "priority", "channel", "kind", "service", "category", "assignee"]

    def chosen(self) -> list[tuple[str, str]]:
        """The filters in force, in words, for the page's heading."""
        if not self.form.is_valid():
            return []
        return [
            (self.form.fields[name].label or name.title(), _display(self.form.fields[name], value))
            for name, value in self.form.cleaned_data.items()
            if value not in (None, "")
        ]


def _display(field, value) -> str:
    if hasattr(value, "pk"):
        return str(value)  # a model choice: never iterate its queryset just for a label
    choices = {str(key): label for key, label in field.choices}
    return str(choices.get(str(value), value))
