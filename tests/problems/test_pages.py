"""The problem pages: who may open them, what they show, escaping, CSRF, and their query counts."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents.models import Status, TicketEvent
from problems import services
from problems.models import IncidentLink, ProblemStatus, RecurrenceProposal
from tests.factories import ProblemFactory

pytestmark = pytest.mark.django_db
XSS = '<script>alert("prb")</script>'


@pytest.fixture
def problem(technician, service, willowvale):
    return ProblemFactory(by=technician, service=service, sites=[willowvale])


def test_staff_cannot_reach_any_problem_page(signed_in, staff_user, problem, incidents):
    [ticket] = incidents(1)
    client = signed_in(staff_user)
    for url in (
        reverse("problems:problem_list"),
        reverse("problems:problem_new"),
        reverse("problems:problem_detail", args=[problem.pk]),
        reverse("problems:problem_edit", args=[problem.pk]),
    ):
        assert client.get(url).status_code == 403, url
    for url in (
        reverse("problems:problem_status", args=[problem.pk]),
        reverse("problems:problem_link", args=[ticket.pk]),
        reverse("problems:queue_link"),
        reverse("problems:workaround_apply", args=[problem.pk, ticket.pk]),
    ):
        assert client.post(url, {"problem": problem.reference, "tickets": [ticket.pk]}).status_code == 403
    assert not IncidentLink.objects.filter(ticket=ticket).exists()


def test_staff_see_no_problem_on_their_own_ticket(signed_in, staff_user, technician, problem, incidents):
    [ticket] = incidents(1)
    services.problem_link_incidents(problem=problem, tickets=[ticket], by=technician)
    page = signed_in(staff_user).get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
    assert problem.reference not in page and "Problem" not in page


def test_the_problem_page_lists_its_incidents_sites_times_and_working_hours(
    signed_in, technician, problem, incidents
):
    tickets = incidents(2)
    services.problem_link_incidents(problem=problem, tickets=tickets, by=technician)
    page = signed_in(technician).get(reverse("problems:problem_detail", args=[problem.pk])).content.decode()
    for ticket in tickets:
        assert ticket.reference in page
    assert tickets[0].site.name in page
    assert "Working hours" in page and "2 incidents (2 open)" in page


def test_escaping_on_the_list_and_the_page(signed_in, technician, service, incidents):
    problem = ProblemFactory(by=technician, service=service, summary=XSS, description=XSS)
    services.problem_update(problem=problem, by=technician, changes={"workaround": XSS})
    [ticket] = incidents(1, summary=XSS)
    services.problem_link_incidents(problem=problem, tickets=[ticket], by=technician)
    client = signed_in(technician)
    for url in (
        reverse("problems:problem_list"),
        reverse("problems:problem_detail", args=[problem.pk]),
        reverse("ticket_detail", args=[ticket.pk]),
    ):
        body = client.get(url).content.decode()
        assert XSS not in body, url
        assert "&lt;script&gt;" in body, url


def test_posts_need_the_csrf_token(technician, problem, incidents):
    [ticket] = incidents(1)
    client = Client(enforce_csrf_checks=True)
    client.force_login(technician)
    response = client.post(reverse("problems:problem_link", args=[ticket.pk]), {"problem": problem.reference})
    assert response.status_code == 403
    assert not IncidentLink.objects.filter(ticket=ticket).exists()


def test_a_technician_logs_a_problem_from_a_ticket(signed_in, technician, service, willowvale, incidents):
    [ticket] = incidents(1)
    client = signed_in(technician)
    form = client.get(reverse("problems:problem_new") + f"?ticket={ticket.pk}")
    assert form.status_code == 200 and ticket.summary in form.content.decode()
    response = client.post(
        reverse("problems:problem_new") + f"?ticket={ticket.pk}",
        {
            "summary": "Printer queue stalls",
            "service": service.pk,
            "impact": "medium",
            "urgency": "high",
            "sites": [willowvale.pk],
        },
    )
    assert response.status_code == 302
    link = IncidentLink.objects.get(ticket=ticket)
    assert link.problem.summary == "Printer queue stalls"


def test_a_form_error_keeps_what_was_typed(signed_in, technician, service):
    response = signed_in(technician).post(
        reverse("problems:problem_new"),
        {
            "summary": "Keeps failing",
            "service": service.pk,
            "impact": "medium",
            "urgency": "high",
            "asset_tags": "NO-SUCH-1",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "No asset has the tag NO-SUCH-1" in body and 'value="Keeps failing"' in body


def test_link_from_the_ticket_page_and_unlink_again(signed_in, technician, problem, incidents):
    [ticket] = incidents(1)
    client = signed_in(technician)
    page = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
    assert 'id="problem"' in page and "Link to problem" in page
    # A stale copy of the ticket page changes nothing (every ticket-page form carries the version).
    client.post(
        reverse("problems:problem_link", args=[ticket.pk]),
        {"problem": problem.reference, "version": ticket.version + 1},
    )
    assert not IncidentLink.objects.filter(ticket=ticket).exists()
    client.post(
        reverse("problems:problem_link", args=[ticket.pk]),
        {"problem": problem.reference.lower(), "version": ticket.version},
    )
    assert IncidentLink.objects.get(ticket=ticket).problem == problem
    ticket.refresh_from_db()
    page = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
    assert "Linked to" in page and problem.reference in page
    client.post(
        reverse("problems:problem_unlink", args=[problem.pk]),
        {"tickets": [ticket.pk], "back": "ticket", "version": ticket.version},
    )
    assert not IncidentLink.objects.filter(ticket=ticket).exists()
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.PROBLEM).count() == 2


def test_the_queue_links_several_selected_incidents_in_one_step(signed_in, technician, problem, incidents):
    tickets = incidents(3)
    client = signed_in(technician)
    queue = client.get(reverse("work_queue")).content.decode()
    assert 'form="queue-selection"' in queue and 'id="queue-selection"' in queue
    response = client.post(
        reverse("problems:queue_link"), {"problem": problem.reference, "tickets": [t.pk for t in tickets]}
    )
    assert response.status_code == 302
    assert IncidentLink.objects.filter(problem=problem).count() == 3


def test_the_known_error_hint_and_its_one_step(signed_in, technician, problem, incidents):
    services.problem_update(
        problem=problem, by=technician, changes={"workaround": "Restart the print spooler."}
    )
    [ticket] = incidents(1)
    client = signed_in(technician)
    page = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
    assert f"Known error {problem.reference}: {problem.summary}." in page
    assert "Workaround: Restart the print spooler." in page
    client.post(reverse("problems:workaround_apply", args=[problem.pk, ticket.pk]), {"version": 0})
    ticket.refresh_from_db()
    assert ticket.status != Status.RESOLVED  # a stale copy resolves nothing
    client.post(
        reverse("problems:workaround_apply", args=[problem.pk, ticket.pk]), {"version": ticket.version}
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED and ticket.resolution_code == "workaround"


def test_resolving_the_problem_from_its_page_resolves_its_incidents(
    signed_in, technician, problem, incidents
):
    tickets = incidents(2)
    services.problem_link_incidents(problem=problem, tickets=tickets, by=technician)
    problem = services.problem_update(
        problem=problem,
        by=technician,
        changes={"root_cause": "UPS battery", "root_cause_category": "power", "permanent_fix": "New battery"},
    )
    response = signed_in(technician).post(
        reverse("problems:problem_status", args=[problem.pk]),
        {
            "to": "resolved",
            "version": problem.version,
            "open_incidents": "resolve",
            "message": "Fixed for good.",
        },
    )
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.RESOLVED
    assert all(not t.is_open for t in type(tickets[0]).objects.filter(pk__in=[t.pk for t in tickets]))


def test_proposals_are_shown_to_technicians_and_only_the_manager_may_dismiss(
    signed_in, technician, manager_user, incidents, frozen
):
    frozen(2026, 11, 24, 9, 0)
    tickets = incidents(3)
    services.recurrences_refresh()
    proposal = RecurrenceProposal.objects.get()
    page = signed_in(technician).get(reverse("problems:problem_list")).content.decode()
    assert "candidate problems" in page and tickets[0].reference in page and "dismiss" not in page
    assert (
        signed_in(technician).post(reverse("problems:proposal_dismiss", args=[proposal.pk])).status_code
        == 403
    )
    page = signed_in(manager_user).get(reverse("problems:problem_list")).content.decode()
    assert "Not one fault: dismiss" in page
    response = signed_in(technician).post(reverse("problems:proposal_accept", args=[proposal.pk]))
    assert response.status_code == 302
    assert IncidentLink.objects.filter(ticket__in=tickets).count() == 3


def _count(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_query_counts_are_flat_at_10_and_1000_linked_incidents(
    signed_in, technician, problem, staff_user, service, willowvale
):
    """The problem page, the list and the API read the same number of queries with 10 and 1,000 incidents
    (the links are bulk-made here: logging 1,000 tickets through the service would take minutes)."""
    from problems.models import IncidentLink
    from tests.factories import TicketFactory

    [template] = [TicketFactory(requester=staff_user, service=service, site=willowvale)]
    from incidents.models import Ticket

    def grow_to(n):
        have = Ticket.objects.count()
        fields = {
            f.attname: getattr(template, f.attname)
            for f in Ticket._meta.concrete_fields
            if f.attname not in ("id", "created_at", "updated_at")
        }
        made = Ticket.objects.bulk_create([Ticket(**fields) for _ in range(n - have)])
        now = template.created_at
        IncidentLink.objects.bulk_create(
            [IncidentLink(ticket=t, problem=problem, linked_by=technician, linked_at=now) for t in made]
        )

    client = signed_in(technician)
    urls = [
        reverse("problems:problem_detail", args=[problem.pk]),
        reverse("problems:problem_list"),
        reverse("problem-list"),
        reverse("problem-detail", args=[problem.pk]),
    ]
    grow_to(10)
    at_ten = [_count(client, url) for url in urls]
    grow_to(1000)
    at_thousand = [_count(client, url) for url in urls]
    assert at_ten == at_thousand
    assert max(at_ten) <= 16, at_ten


def test_the_edit_form_records_root_cause_and_workaround(signed_in, technician, problem):
    client = signed_in(technician)
    page = client.get(reverse("problems:problem_edit", args=[problem.pk]))
    # The version the page was read at goes back with the form (a browser found it missing).
    assert f'name="version" value="{problem.version}"' in page.content.decode()
    form = page.context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data |= {
        "root_cause": "UPS battery",
        "root_cause_category": "power",
        "workaround": "Restart the spooler.",
    }
    response = client.post(reverse("problems:problem_edit", args=[problem.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.KNOWN_ERROR and problem.root_cause == "UPS battery"


def test_the_history_says_statuses_in_words(signed_in, technician, problem):
    services.problem_change_status(problem=problem, to=ProblemStatus.INVESTIGATING, by=technician)
    page = signed_in(technician).get(reverse("problems:problem_detail", args=[problem.pk])).content.decode()
    assert "Logged → Under investigation" in page
