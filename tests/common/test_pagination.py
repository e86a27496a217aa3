"""Pages past the middle are read from the far end (common/pagination.py) and are the same pages."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.pagination import NearerEndPaginator
from incidents.models import Ticket
from incidents.selectors import queue_order
from tests.factories import ServiceFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets():
    requester, service = UserFactory(), ServiceFactory()
    made = [TicketFactory(requester=requester, service=service) for _ in range(23)]
    # Ties on every sort key but the last: priorities in threes, half without a due time.
    for number, ticket in enumerate(made):
        Ticket.objects.filter(pk=ticket.pk).update(
            priority=1 + number % 3, resolution_due_at=None if number % 2 else ticket.resolution_due_at
        )
    return made


@pytest.mark.parametrize("orphans", [0, 2])
def test_every_page_is_the_plain_paginators_page(tickets, orphans):
    for rows in (
        queue_order(Ticket.objects.all()).values_list("pk", flat=True),
        queue_order(Ticket.objects.all()),
        Ticket.objects.order_by("-created_at", "-pk"),
    ):
        plain, nearer = Paginator(rows, 5, orphans=orphans), NearerEndPaginator(rows, 5, orphans=orphans)
        assert nearer.num_pages == plain.num_pages >= 4
        for number in plain.page_range:
            assert list(nearer.page(number).object_list) == list(plain.page(number).object_list), number
            assert nearer.page(number).start_index() == plain.page(number).start_index()


def test_a_deep_page_is_read_backwards_without_an_offset_past_the_middle(tickets):
    rows = queue_order(Ticket.objects.all()).values_list("pk", flat=True)
    paginator = NearerEndPaginator(rows, 5)
    paginator.count  # noqa: B018 - counted before, as a page request does
    with CaptureQueriesContext(connection) as first:
        list(paginator.page(1).object_list)
    with CaptureQueriesContext(connection) as last:
        assert len(paginator.page(5).object_list) == 3
    assert '"priority" DESC' not in first[0]["sql"]
    assert '"priority" DESC' in last[0]["sql"] and "OFFSET" not in last[0]["sql"]
    assert len(last) == 1


def test_an_order_that_can_tie_is_paged_the_plain_way(tickets):
    rows = Ticket.objects.order_by("priority")  # ties: reversing would not turn the list round
    with CaptureQueriesContext(connection) as captured:
        list(NearerEndPaginator(rows, 5).page(5).object_list)
    assert "OFFSET 20" in captured[-1]["sql"]


def test_the_api_pages_ids_first_and_gives_drf_s_pages(tickets, rf):
    from rest_framework.pagination import PageNumberPagination
    from rest_framework.request import Request

    from common.pagination import IdsFirstPagination

    rows = queue_order(Ticket.objects.select_related("service", "site").prefetch_related("rating"))
    for number in ("1", "2", "4", "5", "last"):
        request = Request(rf.get("/api/tickets/", {"page": number}))
        plain, ids_first = PageNumberPagination(), IdsFirstPagination()
        plain.page_size = ids_first.page_size = 5
        expected = plain.paginate_queryset(rows, request)
        with CaptureQueriesContext(connection) as captured:
            got = ids_first.paginate_queryset(rows, request)
        assert [t.pk for t in got] == [t.pk for t in expected], number
        assert [t.site.name for t in got] == [t.site.name for t in expected]
        assert ids_first.get_paginated_response([]).data == plain.get_paginated_response([]).data
        # the count, the page's ids, those tickets with their joins, their ratings
        assert len(captured) == 4, [q["sql"] for q in captured]
    conversation = list(rows)  # a list already read is paged as it is
    request = Request(rf.get("/api/tickets/", {"page": "2"}))
    paged = IdsFirstPagination()
    paged.page_size = 5
    assert paged.paginate_queryset(conversation, request) == conversation[5:10]
