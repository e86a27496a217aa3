"""The rules of problem management's services (problems/services.py)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from incidents.models import ResolutionCode, Status, Ticket, TicketEvent
from problems import services
from problems.models import IncidentLink, ProblemEvent, ProblemStatus, ProposalState, RecurrenceProposal
from problems.selectors import known_errors_for, problem_cost
from tests.factories import ProblemFactory, TicketFactory

pytestmark = pytest.mark.django_db
SAST = ZoneInfo("Africa/Johannesburg")


def test_a_problem_gets_a_reference_a_matrix_priority_and_a_history_row(technician, service):
    problem = services.problem_log(
        by=technician, summary="Queue stalls", service=service, impact="high", urgency="high"
    )
    assert problem.reference == f"PRB-{problem.pk:06d}"
    assert problem.priority == 1  # high x high on the shipped matrix
    assert problem.status == ProblemStatus.LOGGED
    assert list(problem.events.values_list("kind", flat=True)) == [ProblemEvent.Kind.LOGGED]


def test_staff_may_not_log_or_change_a_problem(staff_user, technician, service):
    with pytest.raises(PermissionDenied):
        services.problem_log(by=staff_user, summary="x", service=service)
    problem = ProblemFactory(by=technician, service=service)
    with pytest.raises(PermissionDenied):
        services.problem_update(problem=problem, by=staff_user, changes={"summary": "y"})


def test_linking_and_unlinking_are_history_on_both_sides(technician, service, incidents):
    problem = ProblemFactory(by=technician, service=service)
    first, second = incidents(2)
    assert services.problem_link_incidents(problem=problem, tickets=[first, second], by=technician) == 2
    assert services.problem_link_incidents(problem=problem, tickets=[first], by=technician) == 0  # already
    assert IncidentLink.objects.filter(problem=problem).count() == 2
    event = TicketEvent.objects.get(ticket=first, kind=TicketEvent.Kind.PROBLEM)
    assert (event.new_value, event.internal) == (problem.reference, True)
    assert problem.events.filter(kind=ProblemEvent.Kind.LINKED).count() == 2

    services.problem_unlink_incidents(problem=problem, tickets=[first], by=technician)
    assert not IncidentLink.objects.filter(ticket=first).exists()
    assert TicketEvent.objects.filter(
        ticket=first, kind=TicketEvent.Kind.PROBLEM, old_value=problem.reference
    ).exists()
    assert problem.events.filter(kind=ProblemEvent.Kind.UNLINKED, old_value=first.reference).exists()


def test_a_ticket_belongs_to_one_problem_and_moves_when_linked_elsewhere(technician, service, incidents):
    one, other = (
        ProblemFactory(by=technician, service=service),
        ProblemFactory(by=technician, service=service),
    )
    [ticket] = incidents(1)
    services.problem_link_incidents(problem=one, tickets=[ticket], by=technician)
    services.problem_link_incidents(problem=other, tickets=[ticket], by=technician)
    assert IncidentLink.objects.get(ticket=ticket).problem == other
    assert one.events.filter(kind=ProblemEvent.Kind.UNLINKED).exists()


def test_a_service_request_does_not_link_to_a_problem(technician, service, staff_user, willowvale):
    from tests.factories import ServiceFactory

    request_service = ServiceFactory(offers_requests=True, offers_incidents=False)
    request = TicketFactory(requester=staff_user, service=request_service, site=willowvale, kind="request")
    problem = ProblemFactory(by=technician, service=service)
    with pytest.raises(ValidationError):
        services.problem_link_incidents(problem=problem, tickets=[request], by=technician)


def test_the_lifecycle_table_and_what_each_step_needs(technician, service):
    problem = ProblemFactory(by=technician, service=service)
    with pytest.raises(ValidationError, match="cannot become logged"):
        problem = services.problem_change_status(problem=problem, to=ProblemStatus.LOGGED, by=technician)
    with pytest.raises(ValidationError, match="workaround"):
        services.problem_change_status(problem=problem, to=ProblemStatus.KNOWN_ERROR, by=technician)
    with pytest.raises(ValidationError, match="root cause"):
        services.problem_change_status(problem=problem, to=ProblemStatus.RESOLVED, by=technician)
    problem = services.problem_change_status(problem=problem, to=ProblemStatus.INVESTIGATING, by=technician)
    assert problem.status == ProblemStatus.INVESTIGATING


def test_recording_a_workaround_makes_a_known_error(technician, service):
    problem = ProblemFactory(by=technician, service=service)
    problem = services.problem_update(
        problem=problem, by=technician, changes={"workaround": "Restart the spooler on the print server."}
    )
    assert problem.status == ProblemStatus.KNOWN_ERROR and problem.known_error and problem.known_error_at
    with pytest.raises(ValidationError):
        services.problem_update(problem=problem, by=technician, changes={"workaround": ""})


def test_a_stale_copy_is_refused(technician, service):
    problem = ProblemFactory(by=technician, service=service)
    services.problem_update(
        problem=problem, by=technician, changes={"summary": "New words"}, expected_version=1
    )
    with pytest.raises(services.ProblemConflict):
        services.problem_update(
            problem=problem, by=technician, changes={"summary": "Other"}, expected_version=1
        )


def _resolvable(problem, technician):
    return services.problem_update(
        problem=problem,
        by=technician,
        changes={
            "root_cause": "The UPS at the site has a dead battery.",
            "root_cause_category": "power",
            "permanent_fix": "Battery replaced.",
        },
    )


def test_resolving_a_problem_resolves_its_open_incidents_with_one_message(technician, service, incidents):
    problem = ProblemFactory(by=technician, service=service)
    tickets = incidents(3)
    services.problem_link_incidents(problem=problem, tickets=tickets, by=technician)
    problem = _resolvable(problem, technician)
    mail.outbox.clear()
    with pytest.raises(ValidationError):  # a message is needed
        services.problem_change_status(
            problem=problem, to="resolved", by=technician, open_incidents="resolve"
        )
    services.problem_change_status(
        problem=problem,
        to="resolved",
        by=technician,
        open_incidents="resolve",
        message="The UPS battery is new.",
    )
    for ticket in Ticket.objects.filter(pk__in=[t.pk for t in tickets]):
        assert ticket.status == Status.RESOLVED
        assert ticket.resolution_note == "The UPS battery is new."


def test_resolving_may_only_tell_the_requesters(technician, service, incidents):
    problem = ProblemFactory(by=technician, service=service)
    tickets = incidents(2)
    services.problem_link_incidents(problem=problem, tickets=tickets, by=technician)
    problem = _resolvable(problem, technician)
    services.problem_change_status(
        problem=problem, to="resolved", by=technician, open_incidents="tell", message="Fixed at the source."
    )
    for ticket in Ticket.objects.filter(pk__in=[t.pk for t in tickets]):
        assert ticket.is_open
        assert ticket.comments.filter(body="Fixed at the source.", internal=False).exists()


def test_the_known_error_hint_on_a_new_ticket_and_applying_it(technician, service, incidents, willowvale):
    problem = ProblemFactory(by=technician, service=service, sites=[willowvale])
    [new] = incidents(1)
    assert known_errors_for(new) == []  # no workaround yet
    services.problem_update(
        problem=problem, by=technician, changes={"workaround": "Power-cycle the printer."}
    )
    assert known_errors_for(new) == [problem]

    resolved = services.known_error_apply(problem=problem, ticket=new, by=technician)
    assert resolved.status == Status.RESOLVED
    assert resolved.resolution_code == ResolutionCode.WORKAROUND
    assert "Power-cycle the printer." in resolved.resolution_note
    assert IncidentLink.objects.get(ticket=new).problem == problem


def test_the_business_time_an_incidents_cost(technician, service, incidents, frozen):
    frozen(2026, 11, 24, 9, 0)  # a Tuesday
    problem = ProblemFactory(by=technician, service=service)
    tickets = incidents(2)
    services.problem_link_incidents(problem=problem, tickets=tickets, by=technician)
    frozen(2026, 11, 25, 9, 0)  # a working day later: 8.5 working hours each (08:00-16:30)
    cost = problem_cost(problem, now=datetime(2026, 11, 25, 9, 0, tzinfo=SAST))
    assert cost.incidents == 2 and cost.open_incidents == 2
    assert cost.business_time.total_seconds() == 2 * 8.5 * 3600


# --- recurrence proposals --------------------------------------------------------------------------------


def test_a_recurrence_is_proposed_accepted_and_its_problem_links_the_incidents(technician, incidents, frozen):
    frozen(2026, 11, 23, 9, 0)
    first = incidents(1)
    frozen(2026, 11, 24, 10, 0)
    second = incidents(1)
    frozen(2026, 11, 26, 11, 0)
    third = incidents(1)
    assert services.recurrences_refresh() == 1
    assert services.recurrences_refresh() == 1  # idempotent: the same proposal, kept
    proposal = RecurrenceProposal.objects.get()
    assert set(proposal.tickets.values_list("pk", flat=True)) == {t.pk for t in first + second + third}

    problem = services.proposal_accept(proposal=proposal, by=technician)
    assert problem.incident_links.count() == 3
    assert problem.owner == technician
    assert services.recurrences_refresh() == 0  # linked incidents are not proposed again


def test_a_dismissed_proposal_stays_dismissed_for_its_tickets(technician, manager_user, incidents, frozen):
    frozen(2026, 11, 24, 9, 0)
    incidents(3)
    services.recurrences_refresh()
    proposal = RecurrenceProposal.objects.get()
    with pytest.raises(PermissionDenied):  # the ICT manager dismisses, not a technician
        services.proposal_dismiss(proposal=proposal, by=technician)
    services.proposal_dismiss(proposal=proposal, by=manager_user)
    assert services.recurrences_refresh() == 0
    assert RecurrenceProposal.objects.filter(state=ProposalState.OPEN).count() == 0
    frozen(2026, 11, 25, 9, 0)
    incidents(2)  # two more: with the dismissed three they would be five, alone they are two
    assert services.recurrences_refresh() == 0


def test_finding_recurrences_takes_the_same_queries_for_10_and_100_incidents(
    incidents, frozen, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    frozen(2026, 11, 24, 9, 0)
    incidents(10)
    services.recurrences_refresh()  # the calendar cache fills; the proposal is made
    with CaptureQueriesContext(connection) as at_ten:
        services.recurrences_refresh()
    incidents(90)
    services.recurrences_refresh()
    with CaptureQueriesContext(connection) as at_hundred:
        services.recurrences_refresh()
    assert len(at_ten) == len(at_hundred) <= 8


def test_problem_history_is_append_only_in_the_database_too(technician, service):
    from django.db import connection, transaction
    from django.db.utils import InternalError

    problem = ProblemFactory(by=technician, service=service)
    with pytest.raises(TypeError):
        ProblemEvent.objects.filter(problem=problem).update(note="changed")
    with pytest.raises(InternalError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE problems_problemevent SET note = 'changed'")
