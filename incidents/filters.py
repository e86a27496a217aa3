"""The one ticket filter: used by the technicians' queue page and /api/tickets/ alike.

It only narrows and sorts a queryset it is given; who may see which tickets is decided before, by
permissions.visible_tickets (through the selectors), never here.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import F
from django.http import QueryDict

from catalogue.models import Priority, Service, SupportGroup, TicketKind
from sites.models import Site, Town

from .models import Channel, Status, Ticket
from .selectors import support_people, ticket_search


class TicketOrdering(django_filters.OrderingFilter):
    """Sorting from an allow-list; tickets without a due time sort last either way, and the ticket id
    breaks ties so that pages never repeat or skip a ticket."""

    NULLABLE = frozenset({"response_due_at", "resolution_due_at", "resolved_at", "updated_at"})

    def get_ordering_value(self, param):
        descending = param.startswith("-")
        field_name = self.param_map[param[1:] if descending else param]
        if field_name in self.NULLABLE:
            column = F(field_name)
            return column.desc(nulls_last=True) if descending else column.asc(nulls_last=True)
        return ("-" if descending else "") + field_name

    def filter(self, qs, value):
        if value in ([], (), {}, "", None):
            return qs
        return qs.order_by(*[self.get_ordering_value(param) for param in value], "pk")


class TicketFilter(django_filters.FilterSet):
    # distinct=False: a ticket matches once anyway; DISTINCT over every column cost 40 ms at 100k tickets.
    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    priority = django_filters.MultipleChoiceFilter(
        choices=Priority.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    # The pick-lists read only what their options show (the name; a person's username): every column
    # (service descriptions, password hashes) was read and built into models on each queue page.
    site = django_filters.ModelChoiceFilter(queryset=Site.objects.order_by("name").only("name"))
    town = django_filters.ChoiceFilter(field_name="site__town", choices=Town.choices, label="Town")
    service = django_filters.ModelChoiceFilter(queryset=Service.objects.order_by("name").only("name"))
    group = django_filters.ModelChoiceFilter(
        queryset=SupportGroup.objects.order_by("name").only("name"), label="Group"
    )
    assignee = django_filters.ModelChoiceFilter(
        queryset=support_people().select_related(None).only("username", "first_name", "last_name"),
        null_label="Nobody yet",
        label="Assigned to",
    )
    asset = django_filters.CharFilter(field_name="asset__asset_tag", label="Asset tag", max_length=40)
    kind = django_filters.ChoiceFilter(choices=TicketKind.choices)
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    q = django_filters.CharFilter(method="filter_q", label="Search", max_length=100)
    ordering = TicketOrdering(
        fields=(
            ("priority", "priority"),
            ("resolution_due_at", "due"),
            ("response_due_at", "response_due"),
            ("created_at", "created"),
            ("updated_at", "updated"),
            ("status", "status"),
        ),
        field_labels={
            "priority": "Priority",
            "resolution_due_at": "Due",
            "response_due_at": "Response due",
            "created_at": "Logged",
            "updated_at": "Last changed",
            "status": "Status",
        },
        label="Sort by",
    )

    class Meta:
        model = Ticket
        fields = [
            "status",
            "priority",
            "site",
            "town",
            "service",
            "group",
            "assignee",
            "asset",
            "kind",
            "channel",
        ]

    def filter_q(self, queryset, name, value):
        """Words matched in the reference, summary, description, requester or asset tag
        (selectors.ticket_search)."""
        return ticket_search(queryset, value)


class MyTicketsFilter(django_filters.FilterSet):
    """ "My tickets": open or closed, and the queue's search (words or a reference). Open is everything
    not closed: a resolved ticket still waits for its requester to confirm the fix or reopen it."""

    STATES = (("open", "Open"), ("closed", "Closed"), ("all", "All"))

    state = django_filters.ChoiceFilter(choices=STATES, method="filter_state", empty_label=None)
    q = django_filters.CharFilter(method="filter_q", label="Search my tickets", max_length=100)

    def filter_q(self, queryset, name, value):
        """The queue's and the API's search (selectors.ticket_search): one rule for every list."""
        return ticket_search(queryset, value)

    class Meta:
        model = Ticket
        fields: list[str] = []

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else QueryDict(mutable=True)
        if data.get("state") not in dict(self.STATES):
            data["state"] = "open"
        super().__init__(data, *args, **kwargs)

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.exclude(status=Status.CLOSED)
        if value == "closed":
            return queryset.filter(status=Status.CLOSED)
        return queryset
