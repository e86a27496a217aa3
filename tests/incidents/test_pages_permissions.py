"""Who may open each ticket page: anonymous people, the requester, another staff member, and each support
role; that GET never changes a ticket; that every POST needs its CSRF token; that text people typed is
shown escaped wherever a ticket appears."""

import pytest
from django.test import Client
from django.urls import reverse

from common import access as roles
from incidents import services
from incidents.models import Comment, Status, Ticket
from tests.factories import TicketFactory, UserFactory
from tests.incidents.pages_fixtures import *  # noqa: F403
from tests.incidents.pages_fixtures import XSS, fresh, png

pytestmark = pytest.mark.django_db
LOGIN = reverse("login")

# Who -> the status each ticket page gives them (the ticket belongs to the "requester").
WHO = ["anonymous", "requester", "other_staff", "technician", "manager", "admin"]


@pytest.fixture
def people(staff_user, other_staff, technician, manager_user, admin_role_user):
    return {
        "anonymous": None,
        "requester": staff_user,
        "other_staff": other_staff,
        "technician": technician,
        "manager": manager_user,
        "admin": admin_role_user,
    }


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def attachment(ticket, staff_user):
    services.ticket_attach(ticket=ticket, by=staff_user, files=[png("meter.png")])
    return ticket.attachments.get()


# name: the status each of WHO gets, in WHO's order; 302 means "to the sign-in page".
PAGES = {
    "my_tickets": (302, 200, 200, 403, 403, 403),
    "ticket_new": (302, 200, 200, 200, 200, 200),
    "work_queue": (302, 403, 403, 200, 403, 403),
    "ticket_detail": (302, 200, 404, 200, 200, 200),
    "attachment_download": (302, 200, 404, 200, 200, 200),
}


def page_url(name, ticket, attachment):
    if name == "ticket_detail":
        return reverse(name, args=[ticket.pk])
    if name == "attachment_download":
        return reverse(name, args=[ticket.pk, attachment.pk])
    return reverse(name)


@pytest.mark.parametrize("name", list(PAGES))
@pytest.mark.parametrize("who", WHO)
def test_permission_matrix(people, ticket, attachment, name, who):
    response = client_for(people[who]).get(page_url(name, ticket, attachment))

    expected = PAGES[name][WHO.index(who)]
    assert response.status_code == expected, (name, who)
    if expected == 302:
        assert response.url.startswith(LOGIN)


ACTIONS = [
    "ticket_reply",
    "ticket_status",
    "ticket_take",
    "ticket_assign",
    "ticket_update",
    "ticket_rate",
    "ticket_major_link",
    "ticket_major_update",
]


@pytest.mark.parametrize("name", ACTIONS)
def test_actions_need_sign_in_and_hide_other_peoples_tickets(people, ticket, name):
    url = reverse(name, args=[ticket.pk])

    anonymous = client_for(None).post(url, {"version": ticket.version})
    assert anonymous.status_code == 302 and anonymous.url.startswith(LOGIN)
    assert client_for(people["other_staff"]).post(url, {"version": ticket.version}).status_code == 404
    assert fresh(ticket).version == ticket.version


@pytest.mark.parametrize("name", ACTIONS)
def test_get_never_changes_a_ticket(people, ticket, name):
    for who in ("requester", "technician"):
        response = client_for(people[who]).get(reverse(name, args=[ticket.pk]), {"version": ticket.version})
        assert response.status_code == 405
    assert fresh(ticket).version == ticket.version
    assert fresh(ticket).status == Status.NEW


def test_queue_actions_refuse_get(signed_in, technician, ticket):
    client = signed_in(technician)

    assert client.get(reverse("queue_major_link"), {"tickets": [ticket.pk]}).status_code == 405
    assert client.get(reverse("saved_filter_save"), {"name": "x"}).status_code == 405
    assert not fresh(ticket).is_major


def test_opening_pages_changes_nothing(people, ticket, attachment):
    before = (fresh(ticket).version, ticket.events.count())
    for who in ("requester", "technician", "manager"):
        client = client_for(people[who])
        client.get(reverse("ticket_detail", args=[ticket.pk]))
        client.get(reverse("attachment_download", args=[ticket.pk, attachment.pk]))
    client_for(people["technician"]).get(reverse("work_queue"), {"queue": "open"})

    assert (fresh(ticket).version, ticket.events.count()) == before


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("ticket_reply", {"body": "Hello"}),
        ("ticket_take", {}),
        ("ticket_status", {"to": "in_progress"}),
    ],
)
def test_post_without_csrf_token_is_refused(technician, ticket, name, args):
    client = Client(enforce_csrf_checks=True)
    client.force_login(technician)

    response = client.post(reverse(name, args=[ticket.pk]), {"version": ticket.version, **args})

    assert response.status_code == 403
    assert fresh(ticket).version == ticket.version
    assert not Comment.objects.exists()


def test_log_form_and_queue_posts_need_csrf(technician, service, dutywa):
    client = Client(enforce_csrf_checks=True)
    client.force_login(technician)

    assert client.post(reverse("ticket_new"), {"summary": "x"}).status_code == 403
    assert client.post(reverse("saved_filter_save"), {"name": "x"}).status_code == 403
    assert client.post(reverse("queue_major_link"), {"tickets": [1, 2]}).status_code == 403
    assert not Ticket.objects.exists()


def test_forms_on_the_ticket_page_carry_the_csrf_token_and_version(signed_in, technician, ticket):
    html = signed_in(technician).get(reverse("ticket_detail", args=[ticket.pk])).content.decode()

    forms = html.count('method="post"')
    assert forms >= 8
    assert html.count("csrfmiddlewaretoken") >= forms
    assert html.count(f'name="version" value="{ticket.version}"') >= forms - 1  # sign-out carries none


# --- escaping --------------------------------------------------------------------------------------------


@pytest.fixture
def hostile(staff_user, technician, service, dutywa):
    ticket = TicketFactory(
        requester=staff_user, service=service, site=dutywa, summary=XSS[0], description=" ".join(XSS)
    )
    services.ticket_comment(ticket=ticket, by=staff_user, body=XSS[1], files=[png(f"{XSS[2]}.png")])
    services.ticket_comment(ticket=ticket, by=technician, body=XSS[2])
    return ticket


def assert_escaped(html):
    for payload in XSS:
        assert payload not in html
    assert "<script>alert" not in html and "onerror=alert(1)>" not in html and "<details open" not in html


def test_markup_is_escaped_on_the_ticket_page(signed_in, staff_user, technician, hostile):
    for user in (staff_user, technician):
        html = signed_in(user).get(reverse("ticket_detail", args=[hostile.pk])).content.decode()
        assert_escaped(html)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
        assert "&lt;details open ontoggle=alert(1)&gt;" in html


def test_markup_is_escaped_in_my_tickets_and_the_queue(signed_in, staff_user, technician, hostile):
    html = signed_in(staff_user).get(reverse("my_tickets")).content.decode()
    assert_escaped(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html

    html = signed_in(technician).get(reverse("work_queue"), {"queue": "open"}).content.decode()
    assert_escaped(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_markup_is_escaped_when_the_log_form_comes_back(signed_in, staff_user, service, dutywa):
    response = signed_in(staff_user).post(
        reverse("ticket_new"),
        {"service": service.pk, "site": dutywa.pk, "summary": XSS[1], "description": XSS[2]},
    )

    assert response.status_code == 400
    assert_escaped(response.content.decode())


def test_a_role_without_a_group_is_not_support(signed_in, ticket):
    nobody = UserFactory(username="norole")

    assert signed_in(nobody).get(reverse("ticket_detail", args=[ticket.pk])).status_code == 404
    assert signed_in(nobody).get(reverse("ticket_new")).status_code == 403
    assert roles.role_of(nobody) is None
