"""My tickets (the requester's list) and the technicians' work queue: what they show, how the queue is
sorted, filtered, saved and paged, site-wide trouble, and query counts that do not grow with the rows."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from common import access as roles
from incidents import services
from incidents.models import SavedFilter, Status, Ticket
from slas.models import BusinessCalendar
from tests.factories import (
    AssetFactory,
    ServiceLevelAgreementFactory,
    SlaServiceFactory,
    SupportGroupFactory,
    TicketFactory,
    UserFactory,
)
from tests.incidents.pages_fixtures import *  # noqa: F403
from tests.incidents.pages_fixtures import fresh, resolve

pytestmark = pytest.mark.django_db
MY = reverse("my_tickets")
QUEUE = reverse("work_queue")


def set_due(ticket, **times):
    # The SLA engine owns these columns; tests pin them to known values.
    Ticket.objects.filter(pk=ticket.pk).update(**times)


# --- my tickets ------------------------------------------------------------------------------------------


def close(ticket, status=Status.CLOSED):
    # The lifecycle is tested in test_services; here only where a ticket lists matters.
    Ticket.objects.filter(pk=ticket.pk).update(
        status=status, resolution_code="fixed", resolved_at=timezone.now()
    )


def test_my_tickets_is_a_compact_list_of_mine_the_most_recently_changed_first(
    signed_in, staff_user, other_staff, technician, service
):
    printer = TicketFactory(requester=staff_user, service=service, summary="My printer")
    screen = TicketFactory(requester=staff_user, service=service, summary="My screen")
    services.ticket_take(ticket=printer, by=technician)  # changed last
    TicketFactory(requester=other_staff, service=service, summary="Someone else's phone")

    response = signed_in(staff_user).get(MY)

    html = response.content.decode()
    assert [t.summary for t in response.context["page"]] == ["My printer", "My screen"]
    assert "Someone else" not in html
    row = re.search(
        rf'<li><a href="{reverse("ticket_detail", args=[printer.pk])}">(.*?)</a></li>', html, re.S
    )
    assert row, "a row per ticket, the whole row a link to it"
    assert printer.reference in row.group(1) and "My printer" in row.group(1)
    printer.refresh_from_db()
    assert f">{printer.get_status_display()}</span>" in row.group(1)
    changed = timezone.localtime(printer.updated_at).strftime("%-d %b, %H:%M")
    assert changed in row.group(1)
    assert screen.reference in html and "Log a ticket" in html
    assert "2 open tickets" in html


def test_my_tickets_shows_open_ones_by_default_and_closed_or_all_on_asking(signed_in, staff_user, service):
    TicketFactory(requester=staff_user, service=service, summary="Still broken")
    close(
        TicketFactory(requester=staff_user, service=service, summary="Fixed, waiting for me"), Status.RESOLVED
    )
    close(TicketFactory(requester=staff_user, service=service, summary="Long done"))
    client = signed_in(staff_user)

    def listed(**params):
        return sorted(t.summary for t in client.get(MY, params).context["page"])

    # A resolved ticket is still open to its requester: it waits for them to confirm or reopen.
    assert listed() == ["Fixed, waiting for me", "Still broken"]
    assert "Resolved: is it fixed?" in client.get(MY).content.decode()
    assert listed(state="closed") == ["Long done"]
    assert listed(state="all") == ["Fixed, waiting for me", "Long done", "Still broken"]
    assert listed(state="nonsense") == listed()


def test_my_tickets_search_finds_words_or_a_reference(signed_in, staff_user, other_staff, service):
    toner = TicketFactory(requester=staff_user, service=service, summary="Toner low", description="Room 4")
    TicketFactory(requester=staff_user, service=service, summary="Screen flickers")
    TicketFactory(requester=other_staff, service=service, summary="Toner empty")
    close(TicketFactory(requester=staff_user, service=service, summary="Toner again"))
    client = signed_in(staff_user)

    def found(**params):
        return sorted(t.summary for t in client.get(MY, params).context["page"])

    assert found(q="toner") == ["Toner low"]
    assert found(q="toner", state="all") == ["Toner again", "Toner low"]
    assert found(q="room 4") == ["Toner low"]
    assert found(q=toner.reference) == ["Toner low"]
    html = client.get(MY, {"q": "nothing like this"}).content.decode()
    assert "None of your open tickets matches “nothing like this”" in html


def test_my_tickets_says_what_to_do_when_empty(signed_in, staff_user):
    assert "You have not logged any tickets yet." in signed_in(staff_user).get(MY).content.decode()


def test_my_tickets_pages_by_25(signed_in, staff_user, service):
    TicketFactory.create_batch(27, requester=staff_user, service=service)

    client = signed_in(staff_user)
    assert len(client.get(MY).context["page"]) == 25
    second = client.get(MY, {"page": 2})
    assert len(second.context["page"]) == 2
    assert "Page 2 of 2" in second.content.decode()


@pytest.mark.parametrize("params", [{}, {"state": "closed"}, {"state": "all", "q": "printer"}])
def test_my_tickets_query_count_does_not_grow(
    signed_in, staff_user, technician, service, django_assert_num_queries, params
):
    client = signed_in(staff_user)

    def grow(n):
        for ticket in TicketFactory.create_batch(n, requester=staff_user, service=service, summary="printer"):
            if ticket.pk % 2:
                close(ticket)

    # session, user, roles, the count, the page of tickets (no joins); a search first looks up the
    # requesters and assets its words name (selectors.ticket_search)
    queries = 7 if params.get("q") else 5
    grow(25)
    with django_assert_num_queries(queries):
        client.get(MY, params)
    grow(75)
    with django_assert_num_queries(queries):
        response = client.get(MY, params)
    assert response.context["page"].paginator.count >= 25


# --- the queue -------------------------------------------------------------------------------------------


def test_queue_tabs_and_the_unassigned_queue_of_my_groups(signed_in, technician, service):
    ours = TicketFactory(service=service, summary="Ours")
    other_group = SupportGroupFactory(name="Other (test)")
    from tests.factories import ServiceFactory

    TicketFactory(service=ServiceFactory(support_group=other_group), summary="Theirs")

    response = signed_in(technician).get(QUEUE)

    assert response.context["queue"] == "unassigned"
    assert [t.pk for t in response.context["page"]] == [ours.pk]
    html = response.content.decode()
    for label in (
        "Unassigned in my groups",
        "Mine",
        "My groups&#x27;",
        "Breaching soon",
        "Overdue",
        "All open",
    ):
        assert label in html
    assert 'href="?queue=mine"' in html


def test_mine_and_all_open(signed_in, technician, service):
    taken, waiting = TicketFactory(service=service), TicketFactory(service=service)
    services.ticket_take(ticket=taken, by=technician)
    client = signed_in(technician)

    assert [t.pk for t in client.get(QUEUE, {"queue": "mine"}).context["page"]] == [taken.pk]
    assert {t.pk for t in client.get(QUEUE, {"queue": "open"}).context["page"]} == {taken.pk, waiting.pk}


def test_queue_sorts_by_priority_then_due_time(signed_in, technician, service):
    now = timezone.now()
    later = TicketFactory(service=service, impact="medium", urgency="medium")
    sooner = TicketFactory(service=service, impact="medium", urgency="medium")
    urgent = TicketFactory(service=service, impact="high", urgency="high")
    set_due(later, resolution_due_at=now + timedelta(hours=5))
    set_due(sooner, resolution_due_at=now + timedelta(hours=1))
    set_due(urgent, resolution_due_at=now + timedelta(hours=9))

    page = signed_in(technician).get(QUEUE, {"queue": "open"}).context["page"]

    assert [t.pk for t in page] == [urgent.pk, sooner.pk, later.pk]


@pytest.fixture
def round_the_clock(service):
    """The service under an agreement on the 24 x 7 calendar: its business time is calendar time, so a
    test may say "2 h" whatever the hour it runs at."""
    calendar = BusinessCalendar.objects.get(name="24 x 7")
    SlaServiceFactory(
        service=service, sla=ServiceLevelAgreementFactory(name="Round the clock", calendar=calendar)
    )
    return service


def test_due_column_says_time_left_overdue_paused_or_dash(signed_in, technician, round_the_clock):
    service = round_the_clock
    now = timezone.now()
    left, late, paused, unset = (TicketFactory(service=service) for _ in range(4))
    set_due(left, resolution_due_at=now + timedelta(hours=2, minutes=10, seconds=30))
    set_due(late, resolution_due_at=now - timedelta(minutes=35, seconds=10))
    set_due(unset, resolution_due_at=None, response_due_at=None)
    services.ticket_change_status(ticket=paused, to=Status.PENDING, by=technician, pending_reason="user")

    html = signed_in(technician).get(QUEUE, {"queue": "open"}).content.decode()

    assert "2 h 10 min left" in html
    assert "overdue by 35 min" in html
    assert ">paused<" in html
    assert ">—<" in html


def test_breaching_soon_is_not_yet_breached_and_overdue_has_its_own_tab(
    signed_in, technician, round_the_clock
):
    service = round_the_clock
    now = timezone.now()
    soon, later, late, very_late, responding = (TicketFactory(service=service) for _ in range(5))
    set_due(soon, response_due_at=None, resolution_due_at=now + timedelta(minutes=90))
    set_due(later, response_due_at=None, resolution_due_at=now + timedelta(hours=5))
    set_due(late, response_due_at=None, resolution_due_at=now - timedelta(days=16))
    set_due(very_late, response_due_at=None, resolution_due_at=now - timedelta(days=115))
    # nobody answered for a day: overdue on its response, whatever its fix time
    set_due(
        responding, response_due_at=now - timedelta(days=1), resolution_due_at=now + timedelta(minutes=30)
    )
    client = signed_in(technician)

    breaching = client.get(QUEUE, {"queue": "breaching"})
    overdue = client.get(QUEUE, {"queue": "overdue"})

    assert [t.pk for t in breaching.context["page"]] == [soon.pk]
    assert [t.pk for t in overdue.context["page"]] == [very_late.pk, late.pk, responding.pk]
    html = overdue.content.decode()
    assert "the most overdue first" in html
    assert "overdue by 115 d" in html and "answer overdue by 1 d" in html


def test_breaching_soon_counts_business_hours(signed_in, technician, service):
    """On the municipal calendar, 2 business hours from now reach as far as the calendar says: a ticket due
    1 business hour from now is breaching soon, one due 3 business hours from now is not."""
    from slas.business_time import business_add
    from slas.calendars import calendar_spec

    now = timezone.now()
    spec = calendar_spec(BusinessCalendar.objects.get(name="Municipal business hours").pk)
    near, far = TicketFactory(service=service), TicketFactory(service=service)
    set_due(near, response_due_at=None, resolution_due_at=business_add(spec, now, timedelta(hours=1)))
    set_due(far, response_due_at=None, resolution_due_at=business_add(spec, now, timedelta(hours=3)))

    page = signed_in(technician).get(QUEUE, {"queue": "breaching"}).context["page"]

    assert [t.pk for t in page] == [near.pk]


def test_any_ticket_is_found_open_or_closed(signed_in, technician, service, dutywa):
    nomsa = UserFactory(username="nomsa.mpondo", first_name="Nomsa", last_name="Mpondo", role=roles.STAFF)
    laptop = AssetFactory(site=dutywa, asset_tag="MLM-LT-0042")
    closed = TicketFactory(service=service, requester=nomsa, asset=laptop, summary="Screen flickers")
    services.ticket_change_status(ticket=closed, to=Status.CLOSED, by=technician, note="withdrawn")
    open_one = TicketFactory(service=service, summary="Toner empty", description="The Kyocera says toner low")
    client = signed_in(technician)

    for words in (closed.reference, f"#{closed.pk}", "Mpondo", "nomsa", "mlm-lt-0042", "screen FLICKERS"):
        found = client.get(QUEUE, {"queue": "all", "q": words})
        assert [t.pk for t in found.context["page"]] == [closed.pk], words
    assert [t.pk for t in client.get(QUEUE, {"queue": "all", "q": "kyocera toner"}).context["page"]] == [
        open_one.pk
    ]
    assert client.get(QUEUE, {"queue": "all", "q": "flickers kyocera"}).context["page"].paginator.count == 0
    html = client.get(QUEUE, {"queue": "all", "q": "Mpondo"}).content.decode()
    # the search box is at the top of the queue, not in the Filters panel
    assert html.index('name="q"') < html.index('class="tabs"') < html.index("filters-panel")
    assert html.count('name="q"') == 2  # the box, and the panel keeping the search when filters apply
    assert "matching “Mpondo”" in html


def test_status_filters_find_resolved_and_closed_tickets_in_every_tab(signed_in, technician, service):
    mine = TicketFactory(service=service)
    services.ticket_take(ticket=mine, by=technician)
    resolve(mine, technician)
    still_open = TicketFactory(service=service)
    client = signed_in(technician)

    assert [t.pk for t in client.get(QUEUE, {"queue": "open"}).context["page"]] == [still_open.pk]
    for queue in ("open", "mine", "groups", "all"):
        found = client.get(QUEUE, {"queue": queue, "status": ["resolved"]}).context["page"]
        assert [t.pk for t in found] == [mine.pk], queue
    assert client.get(QUEUE, {"queue": "open", "status": ["closed"]}).context["page"].paginator.count == 0


def test_queue_filters_by_the_ticket_filter(signed_in, technician, service, dutywa):
    from sites.models import Site

    willowvale = Site.objects.filter(town="Willowvale").first()
    here = TicketFactory(service=service, site=dutywa, summary="Toner empty")
    there = TicketFactory(service=service, site=willowvale, summary="Toner empty too")
    client = signed_in(technician)

    by_town = client.get(QUEUE, {"queue": "open", "town": "Willowvale"})
    assert [t.pk for t in by_town.context["page"]] == [there.pk]
    assert by_town.context["filtered"] is True
    by_ref = client.get(QUEUE, {"queue": "open", "q": here.reference})
    assert [t.pk for t in by_ref.context["page"]] == [here.pk]
    by_status = client.get(QUEUE, {"queue": "open", "status": ["new"], "site": dutywa.pk})
    assert [t.pk for t in by_status.context["page"]] == [here.pk]


def test_queue_pages_by_25_and_keeps_the_filters_in_page_links(signed_in, technician, service):
    TicketFactory.create_batch(26, service=service)

    response = signed_in(technician).get(QUEUE, {"queue": "open", "kind": "incident"})

    assert len(response.context["page"]) == 25
    assert "?queue=open&amp;kind=incident&amp;page=2" in response.content.decode()


def test_queue_is_for_technicians(signed_in, staff_user, manager_user):
    assert signed_in(staff_user).get(QUEUE).status_code == 403
    assert signed_in(manager_user).get(QUEUE).status_code == 403


def test_queue_query_count_is_the_same_at_25_and_100_tickets(
    signed_in, technician, service, dutywa, django_assert_num_queries
):
    client = signed_in(technician)
    client.post(reverse("saved_filter_save"), {"name": "P1", "query": "queue=open&priority=1"})
    tickets = TicketFactory.create_batch(25, service=service, site=dutywa)
    services.ticket_take(ticket=tickets[0], by=technician)
    # session, user, roles, my groups, count, site-wide trouble (grouped, then its ticket ids), the
    # filter's pick-lists (sites, services, groups, people), saved views, the page of tickets.
    with django_assert_num_queries(13):
        client.get(QUEUE, {"queue": "open"})
    TicketFactory.create_batch(75, service=service, site=dutywa)
    with django_assert_num_queries(13):
        response = client.get(QUEUE, {"queue": "open"})
    assert response.context["page"].paginator.count == 100
    with django_assert_num_queries(13):
        client.get(QUEUE, {"queue": "unassigned", "town": "Dutywa", "ordering": "-created"})


# --- site-wide trouble -----------------------------------------------------------------------------------


def test_site_wide_trouble_is_proposed_and_linked_in_one_step(
    signed_in, technician, service, dutywa, settings
):
    settings.MAJOR_INCIDENT_THRESHOLD = 3
    tickets = [TicketFactory(service=service, site=dutywa) for _ in range(3)]
    client = signed_in(technician)

    html = client.get(QUEUE).content.decode()
    assert "3 tickets from Dutywa Main Building about Printing (test)" in html
    assert "Link these 3 tickets under the first as a major incident" in html

    response = client.post(reverse("queue_major_link"), {"tickets": [t.pk for t in tickets]})

    parent = fresh(tickets[0])
    assert response.status_code == 302
    assert response.url == reverse("ticket_detail", args=[parent.pk]) + "#major"
    assert parent.is_major
    assert [fresh(t).parent_id for t in tickets[1:]] == [parent.pk, parent.pk]
    assert "Link these" not in client.get(QUEUE).content.decode()


def test_linking_tickets_that_are_gone_links_nothing(signed_in, technician, ticket):
    response = signed_in(technician).post(reverse("queue_major_link"), {"tickets": [ticket.pk, 999_999]})

    assert response.status_code == 302
    assert not fresh(ticket).is_major


# --- saved views -----------------------------------------------------------------------------------------


def test_save_apply_and_delete_a_view(signed_in, technician):
    client = signed_in(technician)
    page = client.get(QUEUE, {"queue": "open", "priority": ["1", "2"], "page": "3", "junk": "x"})
    assert page.context["save_form"]["query"].value() == "queue=open&priority=1&priority=2"

    response = client.post(
        reverse("saved_filter_save"),
        {"name": "Urgent", "query": "queue=open&priority=1&priority=2&page=3&junk=<script>"},
    )

    saved = SavedFilter.objects.get(user=technician)
    assert (saved.name, saved.query) == ("Urgent", "queue=open&priority=1&priority=2")
    assert response.url == QUEUE + "?queue=open&priority=1&priority=2"
    html = client.get(QUEUE).content.decode()
    assert 'href="?queue=open&amp;priority=1&amp;priority=2">Urgent</a>' in html

    client.post(reverse("saved_filter_delete", args=[saved.pk]))
    assert not SavedFilter.objects.exists()


def test_saving_under_the_same_name_replaces_the_view(signed_in, technician):
    client = signed_in(technician)
    client.post(reverse("saved_filter_save"), {"name": "Mine", "query": "queue=mine"})
    client.post(reverse("saved_filter_save"), {"name": "Mine", "query": "queue=mine&status=pending"})

    assert list(SavedFilter.objects.values_list("query", flat=True)) == ["queue=mine&status=pending"]


def test_a_view_needs_a_name(signed_in, technician):
    response = signed_in(technician).post(reverse("saved_filter_save"), {"name": "", "query": "queue=mine"})

    assert response.status_code == 302
    assert not SavedFilter.objects.exists()


def test_nobody_deletes_or_sees_someone_elses_views(signed_in, technician):
    colleague = Client()
    colleague.force_login(UserFactory(role=roles.TECHNICIAN))
    colleague.post(reverse("saved_filter_save"), {"name": "Theirs", "query": "queue=mine"})
    theirs = SavedFilter.objects.get()

    client = signed_in(technician)
    assert "Theirs" not in client.get(QUEUE).content.decode()
    assert client.post(reverse("saved_filter_delete", args=[theirs.pk])).status_code == 404
    assert SavedFilter.objects.filter(pk=theirs.pk).exists()
