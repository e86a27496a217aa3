"""The ticket page and its actions: what the requester and the service desk each see and may do, how a
stale page is refused, and that the page's query count does not grow with the conversation."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from common import access as roles
from common.models import Notification
from incidents import services
from incidents.models import (
    Comment,
    PendingReason,
    SatisfactionRating,
    Status,
    Ticket,
    TicketEvent,
)
from sites.models import Site
from tests.factories import AssetFactory, SupportGroupFactory, TicketFactory, UserFactory
from tests.incidents.pages_fixtures import *  # noqa: F403
from tests.incidents.pages_fixtures import fresh, png, resolve

pytestmark = pytest.mark.django_db


def url(name, ticket):
    return reverse(name, args=[ticket.pk])


def page(client, ticket):
    return client.get(url("ticket_detail", ticket))


# --- what each side sees ---------------------------------------------------------------------------------


def test_requester_sees_status_priority_reason_and_who_is_on_it(signed_in, staff_user, ticket):
    Ticket.objects.filter(pk=ticket.pk).update(response_due_at=None, resolution_due_at=None)

    response = page(signed_in(staff_user), ticket)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Printer jams on page 2" in html and ticket.reference in html
    assert "P3 Medium" in html and ticket.priority_reason in html
    assert "the Desktop test group team" in html
    assert "Dutywa Main Building" in html and "Printing (test)" in html
    assert html.count("not set yet") == 2  # response and fix: the SLA engine has not set them
    assert "History" not in html and "Take it" not in html and "Internal note" not in html
    assert "Withdraw this ticket" in html


def test_due_times_are_shown_when_set(signed_in, staff_user, ticket):
    due = timezone.now() + timedelta(hours=4)
    Ticket.objects.filter(pk=ticket.pk).update(response_due_at=due, resolution_due_at=due)

    html = page(signed_in(staff_user), ticket).content.decode()

    assert "not set yet" not in html
    assert timezone.localtime(due).strftime("%H:%M") in html


def test_support_sees_history_notes_and_work_forms(signed_in, technician, ticket, staff_user):
    services.ticket_comment(ticket=ticket, by=technician, body="Roller part number 4411.", internal=True)

    html = page(signed_in(technician), ticket).content.decode()

    assert "History" in html and "Logged" in html
    assert "Roller part number 4411." in html
    assert "Internal note · the requester does not see it" in html
    assert "Take it" in html and "Assign" in html and "Start work" in html
    assert "Save as internal note" in html
    assert f"for {staff_user.get_full_name()}" in html


def test_internal_notes_and_files_never_reach_the_requester(signed_in, technician, ticket, staff_user):
    services.ticket_comment(
        ticket=ticket, by=technician, body="Secret: the admin password is on the wall.", internal=True
    )
    services.ticket_attach(ticket=ticket, by=technician, files=[png("internal-diagram.png")], internal=True)
    services.ticket_comment(
        ticket=ticket, by=technician, body="Note with file", internal=True, files=[png("note-file.png")]
    )
    services.ticket_comment(ticket=ticket, by=technician, body="We are on our way.")

    html = page(signed_in(staff_user), ticket).content.decode()

    assert "We are on our way." in html
    for secret in ("Secret: the admin password", "internal-diagram.png", "note-file.png", "Note with file"):
        assert secret not in html


# --- conversation ----------------------------------------------------------------------------------------


def test_requester_replies_with_a_file(signed_in, staff_user, ticket):
    client = signed_in(staff_user)

    response = client.post(
        url("ticket_reply", ticket),
        {"version": ticket.version, "body": "Still jamming.", "visibility": "public", "files": [png()]},
    )

    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.author, comment.body, comment.internal) == (staff_user, "Still jamming.", False)
    assert comment.attachments.get().original_name == "screen.png"
    html = page(client, ticket).content.decode()
    assert "Still jamming." in html and "screen.png" in html


def test_a_file_alone_is_attached_without_a_message(signed_in, staff_user, ticket):
    response = signed_in(staff_user).post(
        url("ticket_reply", ticket), {"version": ticket.version, "body": "", "files": [png("photo.png")]}
    )

    assert response.status_code == 302
    assert not Comment.objects.exists()
    assert ticket.attachments.get().original_name == "photo.png"


def test_an_empty_reply_is_refused_in_plain_words(signed_in, staff_user, ticket):
    response = signed_in(staff_user).post(
        url("ticket_reply", ticket), {"version": ticket.version, "body": " "}
    )

    assert response.status_code == 400
    assert "Write a message." in response.content.decode()


def test_technician_writes_an_internal_note(signed_in, technician, ticket):
    signed_in(technician).post(
        url("ticket_reply", ticket),
        {"version": ticket.version, "body": "Check toner", "visibility": "internal"},
    )

    assert Comment.objects.get().internal is True


def test_requester_cannot_write_an_internal_note(signed_in, staff_user, ticket):
    response = signed_in(staff_user).post(
        url("ticket_reply", ticket), {"version": ticket.version, "body": "x", "visibility": "internal"}
    )

    assert response.status_code == 403
    assert not Comment.objects.exists()


# --- stale pages -----------------------------------------------------------------------------------------


def test_a_stale_reply_is_refused_and_keeps_the_typed_text(signed_in, staff_user, technician, ticket):
    stale = ticket.version
    services.ticket_take(ticket=ticket, by=technician)

    response = signed_in(staff_user).post(
        url("ticket_reply", ticket), {"version": stale, "body": "My long careful message."}
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "was changed by someone else a moment ago. Nothing was saved" in html
    assert "My long careful message." in html
    assert f'name="version" value="{fresh(ticket).version}"' in html  # sending again is deliberate
    assert not Comment.objects.exists()


def test_a_stale_resolve_is_refused_and_changes_nothing(signed_in, technician, manager_user, ticket):
    stale = ticket.version
    services.ticket_assign(ticket=ticket, by=manager_user, assignee=manager_user)
    before = fresh(ticket)

    response = signed_in(technician).post(
        url("ticket_status", ticket),
        {
            "version": stale,
            "to": "resolved",
            "resolution_code": "fixed",
            "resolution_note": "Replaced the fuser unit.",
        },
    )

    assert response.status_code == 409
    assert "Replaced the fuser unit." in response.content.decode()
    after = fresh(ticket)
    assert (after.status, after.version, after.resolution_note) == (before.status, before.version, "")


def test_a_form_without_its_version_is_refused(signed_in, technician, ticket):
    response = signed_in(technician).post(url("ticket_take", ticket), {})

    assert response.status_code == 400
    assert "This form is out of date" in response.content.decode()
    assert fresh(ticket).assignee is None


# --- support's work --------------------------------------------------------------------------------------


def test_technician_takes_the_ticket(signed_in, technician, ticket):
    response = signed_in(technician).post(url("ticket_take", ticket), {"version": ticket.version})

    assert response.status_code == 302
    assert (fresh(ticket).assignee, fresh(ticket).status) == (technician, Status.ASSIGNED)


def test_a_ticket_a_colleague_has_offers_no_take_and_refuses_one(signed_in, technician, manager_user, ticket):
    services.ticket_take(ticket=ticket, by=manager_user)
    client = signed_in(technician)

    assert b"Take it" not in client.get(url("ticket_detail", ticket)).content
    response = client.post(url("ticket_take", ticket), {"version": fresh(ticket).version})

    assert response.status_code == 409
    assert "is already with" in response.content.decode()
    assert fresh(ticket).assignee == manager_user


def test_assign_to_a_person_and_a_group(signed_in, technician, manager_user, ticket):
    networks = SupportGroupFactory(name="Networks (test)")
    networks.members.add(manager_user)

    response = signed_in(technician).post(
        url("ticket_assign", ticket),
        {"version": ticket.version, "assignee": manager_user.pk, "group": networks.pk},
    )

    assert response.status_code == 302
    assert (fresh(ticket).assignee, fresh(ticket).group) == (manager_user, networks)


def test_assign_needs_a_person_or_a_group(signed_in, technician, ticket):
    response = signed_in(technician).post(url("ticket_assign", ticket), {"version": ticket.version})

    assert "Choose a person, a group or both." in response.content.decode()


def test_moves_offered_come_from_the_lifecycle_table(signed_in, technician, ticket):
    response = page(signed_in(technician), ticket)

    targets = [move.target for move in response.context["status_moves"]]
    assert targets == ["assigned", "in_progress", "pending", "resolved", "closed"]


def test_pending_asks_who_it_waits_on_and_keeps_the_note(signed_in, technician, ticket):
    response = signed_in(technician).post(
        url("ticket_status", ticket), {"version": ticket.version, "to": "pending", "note": "Asked for model"}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Say who the ticket is waiting on" in html
    assert "Asked for model</textarea>" in html  # the question is a message now: a textarea
    assert fresh(ticket).status == Status.NEW

    signed_in(technician).post(
        url("ticket_status", ticket),
        {"version": ticket.version, "to": "pending", "pending_reason": PendingReason.THIRD_PARTY},
    )
    assert (fresh(ticket).status, fresh(ticket).pending_reason) == ("pending", "third_party")


def test_resolve_asks_code_and_note_and_first_contact(signed_in, technician, ticket):
    client = signed_in(technician)
    response = client.post(
        url("ticket_status", ticket),
        {"version": ticket.version, "to": "resolved", "resolution_code": "fixed"},
    )
    assert response.status_code == 400
    assert "Write what was done" in response.content.decode()

    client.post(
        url("ticket_status", ticket),
        {
            "version": ticket.version,
            "to": "resolved",
            "resolution_code": "advice",
            "resolution_note": "Showed how to clear the tray.",
            "first_contact": "on",
        },
    )

    ticket = fresh(ticket)
    assert (ticket.status, ticket.resolution_code, ticket.first_contact) == ("resolved", "advice", True)
    assert ticket.resolution_note == "Showed how to clear the tray."


def test_edit_classification_and_place(signed_in, technician, ticket, dutywa):
    asset = AssetFactory(asset_tag="MLM-PRN-0100", site=dutywa, type="printer")

    response = signed_in(technician).post(
        url("ticket_update", ticket),
        {
            "version": ticket.version,
            "impact": "high",
            "urgency": "high",
            "service": ticket.service_id,
            "site": dutywa.pk,
            "asset_tag": "mlm-prn-0100",
        },
    )

    assert response.status_code == 302
    ticket = fresh(ticket)
    assert (ticket.impact, ticket.urgency, ticket.priority, ticket.asset) == ("high", "high", 1, asset)
    assert TicketEvent.objects.filter(ticket=ticket, field="priority").exists()


def test_an_asset_at_another_site_is_refused_on_edit(signed_in, technician, ticket, dutywa):
    AssetFactory(asset_tag="MLM-PRN-0101", site=Site.objects.exclude(pk=dutywa.pk).first())

    response = signed_in(technician).post(
        url("ticket_update", ticket),
        {
            "version": ticket.version,
            "impact": "medium",
            "urgency": "medium",
            "service": ticket.service_id,
            "site": dutywa.pk,
            "asset_tag": "MLM-PRN-0101",
        },
    )

    # The refused change is shown on the details form's own page (no longer the whole ticket page).
    assert response.status_code == 400
    assert response.templates[0].name == "incidents/ticket_action.html"
    assert response.context["update_form"].errors["asset_tag"] == [f"MLM-PRN-0101 is not at {dutywa.name}."]
    assert 'value="MLM-PRN-0101"' in response.content.decode()  # what was typed is kept


# --- the rarely used forms: pages of their own, fetched into the ticket page's panels --------------------


def test_the_ticket_page_links_its_rarely_used_forms_instead_of_building_them(signed_in, technician, ticket):
    html = page(signed_in(technician), ticket).content.decode()

    assert f'<details class="panel" data-form-url="{url("ticket_update_form", ticket)}">' in html
    assert f'<a href="{url("ticket_update_form", ticket)}">Open the form to change impact' in html
    assert f'<details class="panel" data-form-url="{url("ticket_major_link_form", ticket)}">' in html
    assert "Make this a major incident" in html
    assert 'name="impact"' not in html and 'name="references"' not in html
    assert "js/tickets" in html


@pytest.mark.parametrize("name", ["ticket_update", "ticket_major_link"])
def test_the_form_page_works_without_script_and_its_fragment_fills_the_panel(
    signed_in, technician, ticket, name
):
    client = signed_in(technician)

    full = client.get(url(f"{name}_form", ticket))
    fragment = client.get(url(f"{name}_form", ticket) + "?fragment=1")

    assert full.status_code == fragment.status_code == 200
    html, part = full.content.decode(), fragment.content.decode()
    assert "<html" in html and ticket.reference in html and f'action="{url(name, ticket)}"' in html
    assert part.lstrip().startswith("<form") and "<html" not in part
    for text in (html, part):
        assert 'name="csrfmiddlewaretoken"' in text
        assert f'name="version" value="{ticket.version}"' in text


def test_the_details_form_shows_the_tickets_values(signed_in, technician, ticket):
    html = signed_in(technician).get(url("ticket_update_form", ticket) + "?fragment=1").content.decode()

    assert f'<option value="{ticket.impact}" selected>' in html
    assert f'<option value="{ticket.service_id}" selected' in html and "Save details" in html


def test_the_form_pages_are_for_the_service_desk_only(signed_in, staff_user, other_staff, ticket):
    for name in ("ticket_update_form", "ticket_major_link_form"):
        for suffix in ("", "?fragment=1"):
            assert signed_in(staff_user).get(url(name, ticket) + suffix).status_code == 403, name
            assert signed_in(other_staff).get(url(name, ticket) + suffix).status_code == 404, name


def test_a_resolved_tickets_details_page_offers_no_form(signed_in, technician, ticket):
    resolve(ticket, technician)

    html = signed_in(technician).get(url("ticket_update_form", ticket)).content.decode()

    assert "Only an open ticket&#x27;s details can change." in html and 'name="impact"' not in html


def test_a_stale_details_change_is_refused_on_its_page_and_keeps_the_typed_text(
    signed_in, technician, manager_user, ticket, dutywa
):
    stale = ticket.version
    services.ticket_assign(ticket=ticket, by=manager_user, assignee=manager_user)

    response = signed_in(technician).post(
        url("ticket_update", ticket),
        {
            "version": stale,
            "impact": "high",
            "urgency": "low",
            "service": ticket.service_id,
            "site": dutywa.pk,
            "asset_tag": "",
        },
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "Nothing was saved" in html and "What you typed is kept below." in html
    assert '<option value="high" selected>' in html
    assert f'name="version" value="{fresh(ticket).version}"' in html
    assert fresh(ticket).impact == ticket.impact


def test_staff_cannot_use_support_actions_on_their_own_ticket(signed_in, staff_user, ticket):
    client = signed_in(staff_user)
    for name, data in [
        ("ticket_take", {}),
        ("ticket_assign", {"group": ticket.group_id}),
        ("ticket_major_link", {}),
        ("ticket_status", {"to": "in_progress"}),
    ]:
        response = client.post(url(name, ticket), {"version": ticket.version, **data})
        assert response.status_code == 403, name
    assert fresh(ticket).version == ticket.version


# --- after resolution: the requester ---------------------------------------------------------------------


def test_requester_confirms_the_resolution(signed_in, staff_user, technician, ticket):
    ticket = resolve(ticket, technician)
    client = signed_in(staff_user)
    html = page(client, ticket).content.decode()
    assert "Is it fixed?" in html and "Yes, it is fixed: close the ticket" in html
    assert "Cleared the paper path" in html

    response = client.post(url("ticket_status", ticket), {"version": ticket.version, "to": "closed"})

    assert response.status_code == 302
    assert fresh(ticket).status == Status.CLOSED


def test_requester_reopens_within_the_window_and_not_after(
    signed_in, staff_user, technician, ticket, settings
):
    ticket = resolve(ticket, technician)
    client = signed_in(staff_user)
    assert "It is not fixed: reopen it" in page(client, ticket).content.decode()

    Ticket.objects.filter(pk=ticket.pk).update(resolved_at=timezone.now() - timedelta(days=11))
    settings.REOPEN_WINDOW_DAYS = 10
    html = page(client, ticket).content.decode()
    assert "It is not fixed: reopen it" not in html
    assert "please log a new ticket" in html

    response = client.post(url("ticket_status", ticket), {"version": ticket.version, "to": "reopened"})
    assert response.status_code == 400
    assert "Resolved more than 10 days ago: please log a new ticket." in response.content.decode()
    assert fresh(ticket).status == Status.RESOLVED


def test_requester_reopens(signed_in, staff_user, technician, ticket):
    ticket = resolve(ticket, technician)

    signed_in(staff_user).post(
        url("ticket_status", ticket), {"version": ticket.version, "to": "reopened", "note": "Jams again"}
    )

    assert (fresh(ticket).status, fresh(ticket).reopen_count) == (Status.REOPENED, 1)


def test_requester_rates_once(signed_in, staff_user, technician, ticket):
    ticket = resolve(ticket, technician)
    client = signed_in(staff_user)
    assert "How did we do?" in page(client, ticket).content.decode()

    response = client.post(
        url("ticket_rate", ticket), {"version": ticket.version, "score": "4", "comment": "Quick, thanks"}
    )

    assert response.status_code == 302
    rating = SatisfactionRating.objects.get()
    assert (rating.score, rating.comment, rating.via_link) == (4, "Quick, thanks", False)
    html = page(client, ticket).content.decode()
    assert "You rated it 4/5" in html and 'name="score"' not in html
    again = client.post(url("ticket_rate", ticket), {"version": fresh(ticket).version, "score": "1"})
    assert again.status_code == 400
    assert SatisfactionRating.objects.get().score == 4


def test_requester_withdraws_an_open_ticket(signed_in, staff_user, ticket):
    signed_in(staff_user).post(url("ticket_status", ticket), {"version": ticket.version, "to": "closed"})

    assert (fresh(ticket).status, fresh(ticket).resolution_code) == ("closed", "withdrawn")


def test_a_closed_ticket_takes_no_more_replies(signed_in, staff_user, ticket):
    services.ticket_change_status(ticket=ticket, to=Status.CLOSED, by=staff_user)

    html = page(signed_in(staff_user), ticket).content.decode()

    assert 'action="' + url("ticket_reply", ticket) not in html


# --- major incidents -------------------------------------------------------------------------------------


def test_mark_major_link_children_and_post_one_update(signed_in, technician, ticket, service, dutywa):
    others = [TicketFactory(service=service, site=dutywa) for _ in range(2)]
    client = signed_in(technician)

    response = client.post(
        url("ticket_major_link", ticket),
        {"version": ticket.version, "references": f"{others[0].reference}, #{others[1].pk}"},
    )

    assert response.status_code == 302
    assert fresh(ticket).is_major
    assert {t.parent_id for t in map(fresh, others)} == {ticket.pk}
    html = page(client, fresh(ticket)).content.decode()
    assert others[0].reference in html and "Post to every requester" in html

    client.post(
        url("ticket_major_update", ticket), {"version": fresh(ticket).version, "body": "The link is back."}
    )
    assert Comment.objects.filter(body="The link is back.").count() == 3


def test_linking_an_unknown_ticket_says_which(signed_in, technician, ticket):
    response = signed_in(technician).post(
        url("ticket_major_link", ticket), {"version": ticket.version, "references": "INC-999999 hello"}
    )

    assert response.status_code == 400  # on the major-incident form's own page
    assert response.templates[0].name == "incidents/ticket_action.html"
    html = response.content.decode()
    assert "Not a ticket reference: hello." in html and 'value="INC-999999 hello"' in html


def test_a_requester_sees_that_their_ticket_is_part_of_a_wider_fault(
    signed_in, staff_user, technician, ticket
):
    parent = TicketFactory(service=ticket.service)
    services.major_incident_link(parent=parent, children=[ticket], by=technician)

    html = page(signed_in(staff_user), ticket).content.decode()

    assert "part of a wider fault" in html
    assert parent.reference not in html  # not theirs to open


# --- query counts ----------------------------------------------------------------------------------------


def _busy(ticket, technician, requester, n):
    for i in range(n):
        services.ticket_comment(ticket=ticket, by=requester, body=f"Reply {i}", files=[png(f"r{i}.png")])
        services.ticket_comment(ticket=ticket, by=technician, body=f"Note {i}", internal=True)
        services.ticket_attach(ticket=ticket, by=technician, files=[png(f"a{i}.png")])


@pytest.mark.parametrize(("who", "queries"), [("requester", 6), ("technician", 12)])
def test_ticket_page_query_count_is_fixed(
    signed_in, staff_user, technician, ticket, who, queries, django_assert_num_queries
):
    client = signed_in(staff_user if who == "requester" else technician)
    _busy(ticket, technician, staff_user, 1)
    page(client, ticket)  # warm: the pick-lists are built once per process (incidents/pick_lists.py)
    # session, user, roles, the ticket (with service, site, group, rating), comments, every file of the
    # ticket (the comments' and its own, in one query); the ticket's people other than the viewer in one
    # query (none for this requester: they logged it and no one is assigned); support adds that, the
    # history and the OLA and supplier-contract clocks, and the problem panel (its problem or the known
    # errors that fit it: one query, problems/). Issue 22: the pick-lists (people, groups, suppliers) are
    # kept per process, no longer 3 queries a view. The details and major-incident forms (services,
    # sites) load when their panels open. The desk's help articles panel (knowledge, through
    # incidents/hooks.py) adds two: all words, then any word.
    with django_assert_num_queries(queries):
        assert page(client, ticket).status_code == 200
    _busy(ticket, technician, staff_user, 6)
    with django_assert_num_queries(queries):
        assert page(client, ticket).status_code == 200


def test_major_incident_page_adds_one_query_for_its_children(
    signed_in, technician, ticket, service, django_assert_num_queries
):
    services.major_incident_link(
        parent=ticket, children=[TicketFactory(service=service) for _ in range(2)], by=technician
    )
    client = signed_in(technician)
    page(client, ticket)  # warm: the pick-lists are built once per process (incidents/pick_lists.py)
    # As a technician's page above, plus the children.
    with django_assert_num_queries(13):  # 11, the help articles panel's two and the problem panel
        assert "Major incident with 2 linked tickets." in page(client, ticket).content.decode()
    services.major_incident_link(
        parent=ticket, children=[TicketFactory(service=service) for _ in range(5)], by=technician
    )
    page(client, ticket)  # the factory's new requesters are people: the pick-lists are built again, once
    with django_assert_num_queries(13):
        assert "Major incident with 7 linked tickets." in page(client, ticket).content.decode()


def test_a_requester_sees_how_many_tickets_their_major_incident_links(
    signed_in, staff_user, technician, ticket, service
):
    services.major_incident_link(
        parent=ticket, children=[TicketFactory(service=service) for _ in range(3)], by=technician
    )

    html = page(signed_in(staff_user), ticket).content.decode()

    assert "Major incident with 3 linked tickets." in html  # counted, though the three are not theirs


def test_someone_else_sees_a_404_for_every_action(signed_in, other_staff, ticket):
    client = signed_in(other_staff)
    for name in (
        "ticket_detail",
        "ticket_reply",
        "ticket_status",
        "ticket_take",
        "ticket_assign",
        "ticket_update",
        "ticket_rate",
        "ticket_major_link",
        "ticket_major_update",
        "ticket_update_form",
        "ticket_major_link_form",
    ):
        method = client.get if name == "ticket_detail" or name.endswith("_form") else client.post
        assert method(url(name, ticket), {"version": ticket.version}).status_code == 404, name


# --- the page tells the truth (issue 14) ----------------------------------------------------------------


def test_a_pending_ticket_says_its_clocks_are_paused_since_when_and_what_is_left(
    signed_in, staff_user, technician, ticket
):
    services.ticket_change_status(
        ticket=ticket, to=Status.PENDING, by=technician, pending_reason=PendingReason.THIRD_PARTY
    )
    paused_at = timezone.localtime(fresh(ticket).updated_at).strftime("%-d %b %Y, %H:%M")

    for viewer in (technician, staff_user):
        html = page(signed_in(viewer), ticket).content.decode()
        assert "not set yet" not in html
        assert html.count("clock paused:") == 2  # response and fix
        assert "left</span>" in html
        assert f"paused since {paused_at}" in html


def test_running_deadlines_say_the_business_time_left_and_keep_the_date(signed_in, technician, ticket):
    html = page(signed_in(technician), ticket).content.decode()

    due = timezone.localtime(fresh(ticket).resolution_due_at).strftime("%-d %b %Y, %H:%M")
    assert f"by {due}" in html  # the date stays, as the second line and the tooltip
    assert 'class="deadline"' in html and " left</span>" in html


def test_a_reopened_ticket_shows_its_current_state_and_the_requesters_reason(
    signed_in, staff_user, technician, ticket, mailoutbox
):
    services.ticket_take(ticket=ticket, by=technician)
    resolve(ticket, technician, note="Replaced the roller.")
    signed_in(staff_user).post(
        url("ticket_status", ticket),
        {"version": fresh(ticket).version, "to": "reopened", "note": "It jams again on page 2."},
    )

    html = page(signed_in(technician), ticket).content.decode()
    assert "Resolved: fixed" not in html and "Replaced the roller." not in html
    assert "resolved " not in html.split("Expected fix")[1][:200]  # the fix deadline, not the old date
    conversation = html.split('id="conversation"')[1]
    assert "It jams again on page 2." in conversation
    reason = Comment.objects.get(ticket=ticket, body="It jams again on page 2.")
    assert (reason.author, reason.internal) == (staff_user, False)
    reopened = Notification.objects.get(key__startswith=f"t{ticket.pk}:reopened:")
    assert reopened.to_address == technician.email
    assert (
        "It jams again on page 2." in reopened.body_text and "It jams again on page 2." in reopened.body_html
    )


def test_waiting_on_the_requester_mails_the_question_and_the_answer_resumes_it(
    signed_in, staff_user, technician, ticket
):
    question = "Which printer is it: the one by the door or the boardroom's?"
    response = signed_in(technician).post(
        url("ticket_status", ticket),
        {"version": ticket.version, "to": "pending", "pending_reason": PendingReason.USER, "note": question},
    )
    assert response.status_code == 302

    asked = Comment.objects.get(ticket=ticket, body=question)
    assert (asked.author, asked.internal) == (technician, False)
    mail = Notification.objects.get(key=f"t{ticket.pk}:waiting:{asked.pk}")
    assert mail.to_address == staff_user.email
    assert question in mail.body_text and escape(question) in mail.body_html
    assert f"/tickets/{ticket.pk}/#reply" in mail.body_text
    assert fresh(ticket).first_response_at is not None  # a public message from the desk answers

    requester = signed_in(staff_user)
    assert escape(question) in page(requester, ticket).content.decode().split('id="conversation"')[1]
    requester.post(
        url("ticket_reply", ticket), {"version": fresh(ticket).version, "body": "The boardroom's."}
    )
    assert fresh(ticket).status == Status.IN_PROGRESS


def test_waiting_on_the_requester_needs_the_question(signed_in, technician, ticket):
    response = signed_in(technician).post(
        url("ticket_status", ticket),
        {"version": ticket.version, "to": "pending", "pending_reason": PendingReason.USER, "note": " "},
    )

    assert response.status_code == 400
    assert "Write what the requester should answer" in response.content.decode()
    assert fresh(ticket).status == Status.NEW


def test_history_says_each_change_in_one_column(signed_in, technician, ticket):
    services.ticket_take(ticket=ticket, by=technician)

    html = page(signed_in(technician), ticket).content.decode().split('id="history"')[1]

    assert '<th scope="col">Change</th>' in html and ">From<" not in html
    assert "New → Assigned" in html


def _history(client, ticket) -> str:
    return page(client, ticket).content.decode().split('id="history"')[1]


def test_history_names_people_and_the_agreement_not_their_keys(signed_in, technician, ticket):
    technician.first_name, technician.last_name = "Sipho", "Mabandla"
    technician.save(update_fields=["first_name", "last_name"])
    colleague = UserFactory(username="zola", first_name="Zola", last_name="Sigcau", role=roles.TECHNICIAN)
    services.ticket_take(ticket=ticket, by=technician)
    services.ticket_assign(ticket=ticket, by=technician, assignee=colleague)
    sla = fresh(ticket).sla

    html = _history(signed_in(technician), ticket)

    assert "Sipho Mabandla → Zola Sigcau" in html
    assert "→ zola" not in html and f"{technician.username} →" not in html
    assert f'<td data-label="Change">{sla.name}</td>' in html  # not its id
    assert "(assignee)" not in html and "(sla)" not in html  # no field names of ours


def test_history_says_which_of_impact_and_urgency_changed(signed_in, technician, ticket):
    services.ticket_update(ticket=ticket, by=technician, impact="high")

    html = _history(signed_in(technician), ticket)

    assert "Impact changed" in html and "Medium → High" in html


def test_history_names_people_in_a_fixed_number_of_queries(
    signed_in, technician, ticket, django_assert_num_queries
):
    client = signed_in(technician)
    services.ticket_take(ticket=ticket, by=technician)
    page(client, ticket)  # warm: the session, content types and pick-lists (incidents/pick_lists.py)
    # 10, the help-articles panel's two searches (knowledge) and the problem panel (problems).
    with django_assert_num_queries(13) as first:
        assert page(client, ticket).status_code == 200
    counted = len(first.captured_queries)  # read now: the next request clears the connection's log
    for n in range(6):
        colleague = UserFactory(first_name=f"Colleague{n}", role=roles.TECHNICIAN)
        services.ticket_assign(ticket=ticket, by=technician, assignee=colleague)
    page(client, ticket)  # the new colleagues are new choices: the pick-lists are built again, once
    with django_assert_num_queries(counted):
        html = page(client, ticket).content.decode()
    assert all(f"Colleague{n}" in html for n in range(6))


def test_history_says_automatic_for_what_nobody_did(signed_in, technician, ticket):
    TicketEvent.objects.create(
        ticket=ticket, kind=TicketEvent.Kind.STATUS, actor=None, field="status", at=timezone.now()
    )

    html = _history(signed_in(technician), ticket)

    assert '<span class="muted automatic" title="the service desk (automatic)">automatic</span>' in html


def test_the_pick_lists_kept_per_process_follow_every_change(signed_in, technician, ticket):
    """incidents/pick_lists.py keeps the suppliers, groups and assignable people between views; a
    supplier or group added, a person renamed or no longer on the desk shows on the next view."""
    from catalogue.models import SupportGroup
    from slas.models import Supplier

    client = signed_in(technician)
    colleague = UserFactory(first_name="Nomsa", last_name="Dlamini", role=roles.TECHNICIAN)
    html = page(client, ticket).content.decode()
    assert "Nomsa Dlamini" in html and "Eskom Fibre Repairs" not in html
    Supplier.objects.create(name="Eskom Fibre Repairs")
    SupportGroup.objects.create(name="Radio Links Team")
    colleague.first_name = "Nomvula"
    colleague.save()
    html = page(client, ticket).content.decode()
    assert "Eskom Fibre Repairs" in html and "Radio Links Team" in html
    assert "Nomvula Dlamini" in html and "Nomsa Dlamini" not in html
    colleague.groups.clear()  # no longer on the service desk
    assert "Nomvula Dlamini" not in page(client, ticket).content.decode()
