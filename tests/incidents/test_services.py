"""Ticket verbs: logging, the lifecycle table, assignment and handovers, the conversation, resolution,
reopening, rating, auto-close, major incidents and optimistic concurrency."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from catalogue.models import Lifecycle, RequestField, SupportGroup
from common import access as roles
from common.models import Notification
from incidents import lifecycle, services
from incidents.models import Status, Ticket, TicketEvent
from sites.models import Site
from tests.factories import (
    RequestFieldFactory,
    ServiceFactory,
    TicketFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(technician_user):
    team = SupportGroup.objects.get(name="Desktop and Printing")
    team.members.add(technician_user)
    return team


@pytest.fixture
def service(group):
    return ServiceFactory(support_group=group, criticality="medium")


@pytest.fixture
def ticket(staff_user, service):
    return TicketFactory(requester=staff_user, service=service)


def kinds(ticket):
    return list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))


# --- logging ---------------------------------------------------------------------------------------------


def test_log_sets_priority_group_history_and_mail(ticket, staff_user, group):
    assert ticket.status == Status.NEW
    assert ticket.priority == 3
    assert ticket.priority_reason == "P3: medium impact x medium urgency"
    assert ticket.group == group
    assert ticket.reference == f"INC-{ticket.pk:06d}"
    assert kinds(ticket) == ["logged", "priority", "group", "sla"]  # the group holds it from the start
    keys = set(Notification.objects.filter(ticket=ticket).values_list("key", flat=True))
    assert f"t{ticket.pk}:logged:requester" in keys
    assert any(":logged:group:" in key for key in keys)


def test_only_live_services_can_be_chosen(staff_user):
    for status in (Lifecycle.PIPELINE, Lifecycle.RETIRED):
        with pytest.raises(ValidationError) as refused:
            TicketFactory(requester=staff_user, service=ServiceFactory(status=status))
        assert "not offered" in refused.value.message_dict["service"][0]
    assert not Ticket.objects.exists()


def test_a_kind_the_service_does_not_offer_is_refused(staff_user):
    with pytest.raises(ValidationError) as refused:
        TicketFactory(requester=staff_user, service=ServiceFactory(offers_requests=False), kind="request")
    assert "does not take service requests" in refused.value.message_dict["kind"][0]


def test_a_service_request_validates_its_questions(staff_user):
    service = ServiceFactory(offers_requests=True)
    RequestFieldFactory(
        service=service, key="start_date", label="Start date", field_type=RequestField.FieldType.DATE
    )

    with pytest.raises(ValidationError) as refused:
        TicketFactory(requester=staff_user, service=service, kind="request", answers={"start_date": "soon"})
    assert refused.value.message_dict["answers.start_date"] == ["Enter a valid date."]

    ticket = TicketFactory(
        requester=staff_user, service=service, kind="request", answers={"start_date": "2027-01-04"}
    )
    assert ticket.request_answers == {"start_date": "2027-01-04"}
    assert ticket.reference.startswith("REQ-")


def test_a_service_request_without_impact_and_urgency_takes_its_services_default(staff_user):
    service = ServiceFactory(offers_requests=True, request_impact="low", request_urgency="low")

    ticket = TicketFactory(requester=staff_user, service=service, kind="request", impact=None, urgency=None)

    assert (ticket.impact, ticket.urgency, ticket.priority) == ("low", "low", 5)
    assert ticket.priority_reason == "P5: low impact x low urgency (the service's default for requests)"


def test_an_incident_needs_its_impact_and_urgency(staff_user):
    with pytest.raises(ValidationError) as refused:
        TicketFactory(requester=staff_user, impact=None, urgency=None, description="")
    assert refused.value.message_dict == {
        "impact": ["Say how many people are affected."],
        "urgency": ["Say whether you can still work."],
    }
    assert not Ticket.objects.exists()


def test_logging_for_someone_else_is_for_the_service_desk(staff_user, technician_user, service):
    other = UserFactory(role=roles.STAFF)
    with pytest.raises(PermissionDenied):
        TicketFactory(requester=other, logged_by=staff_user, service=service)

    ticket = TicketFactory(requester=other, logged_by=technician_user, service=service, channel="phone")
    assert (ticket.requester, ticket.logged_by, ticket.channel) == (other, technician_user, "phone")


def test_staff_cannot_claim_a_phone_channel(staff_user, service):
    with pytest.raises(PermissionDenied, match="Only the service desk"):
        TicketFactory(requester=staff_user, service=service, channel="phone")
    assert not Ticket.objects.exists()


def test_files_that_would_run_in_a_browser_are_refused(staff_user, service):
    from django.core.files.uploadedfile import SimpleUploadedFile

    svg = SimpleUploadedFile("diagram.svg", b"<svg onload=alert(1)></svg>", content_type="image/svg+xml")
    html_as_png = SimpleUploadedFile(
        "photo.png", b"<html><script>alert(1)</script></html>", content_type="image/png"
    )
    for upload in (svg, html_as_png):
        with pytest.raises(ValidationError) as refused:
            TicketFactory(requester=staff_user, service=service, files=[upload])
        assert "files" in refused.value.message_dict
    assert not Ticket.objects.exists()


# --- the lifecycle table ---------------------------------------------------------------------------------

ALL = [s.value for s in Status]


@pytest.mark.parametrize("start", ALL)
@pytest.mark.parametrize("target", ALL)
def test_the_table_decides_every_pair(start, target, ticket, technician_user):
    Ticket.objects.filter(pk=ticket.pk).update(
        status=start,
        pending_reason="user" if start == Status.PENDING else "",
        resolution_code="fixed" if start in (Status.RESOLVED, Status.CLOSED) else "",
        resolved_at=timezone.now() if start in (Status.RESOLVED, Status.CLOSED) else None,
    )
    ticket.refresh_from_db()
    allowed = lifecycle.transition(start, target)
    kwargs = {"pending_reason": "user", "resolution_code": "fixed", "resolution_note": "Replaced the toner."}

    if allowed and lifecycle.SUPPORT in allowed.by:
        moved = services.ticket_change_status(ticket=ticket, to=target, by=technician_user, **kwargs)
        assert moved.status == target
    elif allowed:
        with pytest.raises(PermissionDenied):
            services.ticket_change_status(ticket=ticket, to=target, by=technician_user, **kwargs)
    else:
        with pytest.raises(ValidationError):
            services.ticket_change_status(ticket=ticket, to=target, by=technician_user, **kwargs)
        ticket.refresh_from_db()
        assert ticket.status == start


def test_assigning_moves_the_status_only_as_the_table_allows(ticket, technician_user, monkeypatch):
    other = UserFactory(role=roles.TECHNICIAN)
    services.ticket_assign(ticket=ticket, by=technician_user, assignee=technician_user)
    ticket.refresh_from_db()
    assert ticket.status == Status.ASSIGNED  # the table's "assign" step from new
    moves = TicketEvent.objects.filter(ticket=ticket, kind="status")
    assert list(moves.values_list("old_value", "new_value")) == [("new", "assigned")]

    # Without an "assign" step from new, giving a new ticket to someone leaves its status alone.
    fresh = TicketFactory(requester=ticket.requester, service=ticket.service)
    table = {
        pair: step for pair, step in lifecycle.TRANSITIONS.items() if pair != (Status.NEW, Status.ASSIGNED)
    }
    monkeypatch.setattr(lifecycle, "TRANSITIONS", table)
    services.ticket_assign(ticket=fresh, by=technician_user, assignee=other)
    fresh.refresh_from_db()
    assert (fresh.status, fresh.assignee) == (Status.NEW, other)


def test_open_in_the_table_is_the_models_open_statuses():
    from incidents.models import OPEN_STATUSES

    withdrawals = {frm for (frm, to), step in lifecycle.TRANSITIONS.items() if step.name == "withdraw"}
    assert withdrawals == set(OPEN_STATUSES)


def test_requesters_may_only_close_reopen_and_withdraw():
    requester_moves = {
        (frm, to) for (frm, to), t in lifecycle.TRANSITIONS.items() if lifecycle.REQUESTER in t.by
    }
    assert {to for _, to in requester_moves} == {Status.CLOSED, Status.REOPENED}


def test_a_requester_cannot_resolve_or_start_work(ticket, staff_user):
    for target in (Status.IN_PROGRESS, Status.RESOLVED, Status.ASSIGNED):
        with pytest.raises(PermissionDenied):
            services.ticket_change_status(
                ticket=ticket, to=target, by=staff_user, resolution_code="fixed", resolution_note="x"
            )
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_someone_elses_ticket_is_not_theirs_to_touch(ticket):
    stranger = UserFactory(role=roles.STAFF)
    with pytest.raises(PermissionDenied):
        services.ticket_change_status(ticket=ticket, to=Status.CLOSED, by=stranger)
    with pytest.raises(PermissionDenied):
        services.ticket_comment(ticket=ticket, by=stranger, body="hello")


def test_pending_needs_a_reason_and_resolving_needs_code_and_note(ticket, technician_user):
    with pytest.raises(ValidationError, match="waiting on"):
        services.ticket_change_status(ticket=ticket, to=Status.PENDING, by=technician_user)
    with pytest.raises(ValidationError, match="how the ticket was resolved"):
        services.ticket_change_status(ticket=ticket, to=Status.RESOLVED, by=technician_user)
    with pytest.raises(ValidationError, match="Write what was done"):
        services.ticket_change_status(
            ticket=ticket, to=Status.RESOLVED, by=technician_user, resolution_code="fixed"
        )


# --- assignment ------------------------------------------------------------------------------------------


def test_first_assignment_is_not_a_handover_later_ones_are(ticket, technician_user, manager_user):
    services.ticket_take(ticket=ticket, by=technician_user)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee, ticket.handovers) == (Status.ASSIGNED, technician_user, 0)

    services.ticket_assign(ticket=ticket, by=technician_user, assignee=manager_user)
    services.ticket_assign(ticket=ticket, by=manager_user, group=SupportGroup.objects.get(name="Networks"))
    ticket.refresh_from_db()
    assert ticket.handovers == 2
    assert ticket.assignee is None  # a move to another group leaves it for that group to take
    assert ticket.group.name == "Networks"
    assert Notification.objects.filter(key__startswith=f"t{ticket.pk}:assigned:{manager_user.pk}").exists()


def test_only_support_staff_can_be_assignees(ticket, technician_user, staff_user):
    with pytest.raises(ValidationError, match="not on the ICT service desk"):
        services.ticket_assign(ticket=ticket, by=technician_user, assignee=staff_user)
    with pytest.raises(PermissionDenied):
        services.ticket_take(ticket=ticket, by=staff_user)


def test_history_records_who_when_field_from_to(ticket, technician_user):
    services.ticket_take(ticket=ticket, by=technician_user)
    event = TicketEvent.objects.get(ticket=ticket, kind="assigned")
    assert (event.actor, event.field, event.old_value, event.new_value) == (
        technician_user,
        "assignee",
        "",
        technician_user.username,
    )
    status = TicketEvent.objects.get(ticket=ticket, kind="status")
    assert (status.old_value, status.new_value) == ("new", "assigned")


# --- conversation and the first response -----------------------------------------------------------------


def test_first_public_reply_by_support_is_the_response(ticket, technician_user, staff_user):
    services.ticket_comment(ticket=ticket, by=staff_user, body="Any news?")
    services.ticket_comment(ticket=ticket, by=technician_user, body="Checking logs", internal=True)
    ticket.refresh_from_db()
    assert ticket.first_response_at is None

    services.ticket_comment(ticket=ticket, by=technician_user, body="On my way to Dutywa TRC.")
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None
    assert kinds(ticket).count("responded") == 1


def test_starting_work_is_an_acknowledgement_and_takes_the_ticket(ticket, technician_user):
    services.ticket_change_status(ticket=ticket, to=Status.IN_PROGRESS, by=technician_user)
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None
    assert ticket.assignee == technician_user


def test_requesters_cannot_write_internal_notes(ticket, staff_user):
    with pytest.raises(PermissionDenied):
        services.ticket_comment(ticket=ticket, by=staff_user, body="secret", internal=True)


def test_internal_notes_are_never_mailed(ticket, technician_user):
    before = Notification.objects.count()
    services.ticket_comment(ticket=ticket, by=technician_user, body="Password is in the safe", internal=True)
    assert Notification.objects.count() == before


def test_a_requester_reply_resumes_a_ticket_waiting_on_them(ticket, technician_user, staff_user):
    services.ticket_change_status(ticket=ticket, to=Status.PENDING, by=technician_user, pending_reason="user")
    services.ticket_comment(ticket=ticket, by=staff_user, body="The serial is CN123.")
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    assert ticket.pending_reason == ""


def test_a_requester_reply_does_not_resume_a_third_party_wait(ticket, technician_user, staff_user):
    services.ticket_change_status(
        ticket=ticket, to=Status.PENDING, by=technician_user, pending_reason="third_party"
    )
    services.ticket_comment(ticket=ticket, by=staff_user, body="Any news from the provider?")
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING


# --- resolution, reopening, rating, closing ---------------------------------------------------------------


def resolve(ticket, by, **extra):
    return services.ticket_change_status(
        ticket=ticket,
        to=Status.RESOLVED,
        by=by,
        resolution_code="fixed",
        resolution_note="Cleared the jam.",
        **extra,
    )


def test_resolve_then_requester_confirms(ticket, technician_user, staff_user):
    resolve(ticket, technician_user, first_contact=True)
    ticket.refresh_from_db()
    assert ticket.resolved_at is not None and ticket.first_contact
    assert Notification.objects.filter(key__startswith=f"t{ticket.pk}:resolved:").count() == 1

    services.ticket_change_status(ticket=ticket, to=Status.CLOSED, by=staff_user)
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.closed_at is not None


def test_reopen_within_the_window_counts(ticket, technician_user, staff_user, settings):
    resolve(ticket, technician_user)
    services.ticket_change_status(ticket=ticket, to=Status.REOPENED, by=staff_user)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.reopen_count, ticket.resolved_at) == (Status.REOPENED, 1, None)

    resolve(ticket, technician_user)
    Ticket.objects.filter(pk=ticket.pk).update(
        resolved_at=timezone.now() - timedelta(days=settings.REOPEN_WINDOW_DAYS + 1)
    )
    with pytest.raises(ValidationError, match="log a new ticket"):
        services.ticket_change_status(ticket=ticket, to=Status.REOPENED, by=staff_user)
    # The service desk may still reopen it.
    services.ticket_change_status(ticket=ticket, to=Status.REOPENED, by=technician_user)


def test_rating_once_by_the_requester_after_resolution(ticket, technician_user, staff_user):
    with pytest.raises(ValidationError, match="once it is resolved"):
        services.ticket_rate(ticket=ticket, by=staff_user, score=5)
    resolve(ticket, technician_user)
    with pytest.raises(PermissionDenied):
        services.ticket_rate(ticket=ticket, by=technician_user, score=5)
    with pytest.raises(ValidationError, match="1 \\(poor\\) to 5"):
        services.ticket_rate(ticket=ticket, by=staff_user, score=6)

    rating = services.ticket_rate(ticket=ticket, by=None, score=4, comment="Quick, thanks", via_link=True)

    assert (rating.score, rating.via_link) == (4, True)
    with pytest.raises(ValidationError, match="rated already"):
        services.ticket_rate(ticket=ticket, by=staff_user, score=1)


def test_withdraw_closes_with_a_code(ticket, staff_user):
    services.ticket_change_status(ticket=ticket, to=Status.CLOSED, by=staff_user)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolution_code) == (Status.CLOSED, "withdrawn")


def test_auto_close_after_working_days(ticket, technician_user, settings):
    settings.AUTO_CLOSE_WORKING_DAYS = 5
    resolve(ticket, technician_user)
    tz = ZoneInfo("Africa/Johannesburg")
    # Resolved Thursday 17 December 2026. The five working days after it are 18, 21, 22, 23 and 24
    # December; Christmas (25th) is a holiday, so the first sweep on the 25th closes it.
    Ticket.objects.filter(pk=ticket.pk).update(resolved_at=datetime(2026, 12, 17, 15, 0, tzinfo=tz))

    assert services.tickets_auto_close(now=datetime(2026, 12, 24, 16, 0, tzinfo=tz)) == 0
    assert services.tickets_auto_close(now=datetime(2026, 12, 25, 0, 5, tzinfo=tz)) == 1
    assert services.tickets_auto_close(now=datetime(2026, 12, 25, 0, 6, tzinfo=tz)) == 0  # idempotent
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert TicketEvent.objects.filter(
        ticket=ticket, kind="status", new_value="closed", actor__isnull=True
    ).exists()


def test_a_shutdown_on_the_desk_calendar_stops_auto_close(ticket, technician_user, settings, request):
    from slas.calendars import forget_calendars
    from slas.models import ClosedDay, ServiceLevelAgreement

    request.addfinalizer(forget_calendars)  # the shutdown is rolled back: so must the cached calendar be

    settings.AUTO_CLOSE_WORKING_DAYS = 5
    resolve(ticket, technician_user)
    tz = ZoneInfo("Africa/Johannesburg")
    Ticket.objects.filter(pk=ticket.pk).update(resolved_at=datetime(2026, 12, 17, 15, 0, tzinfo=tz))
    desk = ServiceLevelAgreement.objects.get(is_default=True).calendar
    ClosedDay.objects.create(
        calendar=desk, name="Year-end shutdown", first_day=date(2026, 12, 21), last_day=date(2027, 1, 1)
    )
    # Resolved Thursday 17 December 2026. The desk works on the 18th, then is shut until the new year:
    # the five working days are 18 December and 4, 5, 6 and 7 January.

    assert services.auto_close_day(date(2026, 12, 17)) == date(2027, 1, 8)
    assert services.tickets_auto_close(now=datetime(2026, 12, 25, 0, 5, tzinfo=tz)) == 0
    assert services.tickets_auto_close(now=datetime(2027, 1, 7, 16, 0, tzinfo=tz)) == 0
    assert services.tickets_auto_close(now=datetime(2027, 1, 8, 0, 5, tzinfo=tz)) == 1


# --- several changes at once (the API's PATCH) -----------------------------------------------------------


def test_patch_reopens_first_then_reassigns_in_one_step(ticket, technician_user, manager_user):
    resolve(ticket, technician_user)
    ticket.refresh_from_db()

    ticket = services.ticket_patch(
        ticket=ticket,
        by=technician_user,
        changes={"status": Status.REOPENED, "assignee": manager_user, "urgency": "high"},
        expected_version=ticket.version,
    )

    assert (ticket.reopen_count, ticket.assignee, ticket.urgency) == (1, manager_user, "high")
    events = list(TicketEvent.objects.filter(ticket=ticket).order_by("pk").values_list("kind", "new_value"))
    reopened = events.index(("status", Status.REOPENED))
    assert all(kind != "assigned" for kind, _ in events[:reopened])  # the reopen came before the rest
    assert any(kind == "assigned" for kind, _ in events[reopened:])


def test_patch_is_all_or_nothing(ticket, technician_user):
    seen = ticket.version
    with pytest.raises(ValidationError):
        # The urgency change is valid, the resolution lacks its code and note: neither is kept.
        services.ticket_patch(
            ticket=ticket,
            by=technician_user,
            changes={"urgency": "high", "status": Status.RESOLVED},
            expected_version=seen,
        )
    ticket.refresh_from_db()
    assert (ticket.urgency, ticket.status, ticket.version) == ("medium", Status.NEW, seen)


def test_patch_details_need_their_status_and_stale_copies_conflict(ticket, technician_user):
    with pytest.raises(ValidationError, match="status it belongs to"):
        services.ticket_patch(ticket=ticket, by=technician_user, changes={"resolution_note": "Fixed"})
    with pytest.raises(services.TicketConflict):
        services.ticket_patch(
            ticket=ticket, by=technician_user, changes={}, expected_version=ticket.version - 1
        )


# --- concurrency -----------------------------------------------------------------------------------------


def test_a_stale_copy_changes_nothing(ticket, technician_user, manager_user):
    seen = ticket.version
    services.ticket_take(ticket=ticket, by=technician_user, expected_version=seen)

    with pytest.raises(services.TicketConflict, match="changed by someone else"):
        services.ticket_take(ticket=ticket, by=manager_user, expected_version=seen)

    ticket.refresh_from_db()
    assert ticket.assignee == technician_user
    assert ticket.version == seen + 1


# --- history is append-only ------------------------------------------------------------------------------


def test_history_cannot_be_edited_or_deleted(ticket):
    event = TicketEvent.objects.filter(ticket=ticket).first()
    event.note = "rewritten"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        TicketEvent.objects.filter(ticket=ticket).update(note="x")
    with pytest.raises(TypeError):
        TicketEvent.objects.filter(ticket=ticket).delete()


def test_the_database_refuses_history_updates_on_postgresql(ticket):
    from django.db import DatabaseError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("the trigger is PostgreSQL's; SQLite relies on the model guard above")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE incidents_ticketevent SET note = 'x' WHERE ticket_id = %s", [ticket.pk])


# --- major incidents -------------------------------------------------------------------------------------


def test_major_incident_resolves_children_and_tells_each_requester(service, technician_user):
    elliotdale = Site.objects.get(name="Elliotdale")
    tickets = [TicketFactory(service=service, site=elliotdale, summary=f"No network {n}") for n in range(4)]
    parent, children = tickets[0], tickets[1:]

    services.major_incident_link(parent=parent, children=children, by=technician_user)
    posted = services.major_incident_update(
        parent=parent, by=technician_user, body="The MPLS provider is on site."
    )
    resolve(parent, technician_user)

    assert posted == 4
    for child in children:
        child.refresh_from_db()
        assert child.parent == parent
        assert child.status == Status.RESOLVED
        assert parent.reference in child.resolution_note
        assert Notification.objects.filter(
            key__startswith=f"t{child.pk}:resolved:", to_address=child.requester.email
        )
        assert child.comments.filter(body="The MPLS provider is on site.", internal=False).exists()


def test_a_child_cannot_be_a_major_incident_parent(service, technician_user):
    a, b, c = (TicketFactory(service=service) for _ in range(3))
    services.major_incident_link(parent=a, children=[b], by=technician_user)
    with pytest.raises(ValidationError, match="itself part of"):
        services.major_incident_link(parent=b, children=[c], by=technician_user)
