"""Issue 16, finding 7: an anonymous client had three reset mails sent to one person in under a second.

Now (accounts/password_reset.py) requests are counted per address asked for and per client address; a
request over either limit sends nothing and gets the same answer; an address with no account is counted
and answered like one with; the mail goes through the outbox.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client

from common.models import Notification
from tests.factories import UserFactory, deliver_outbox

pytestmark = pytest.mark.django_db


def ask(email: str, address: str = "41.0.0.7"):
    return Client().post("/accounts/password_reset/", {"email": email}, REMOTE_ADDR=address)


def mails_to(email: str) -> int:
    deliver_outbox()
    return sum(email in message.to for message in mail.outbox)


def test_three_requests_in_a_row_send_one_mail(staff_user):
    answers = [ask(staff_user.email) for _ in range(3)]
    assert [a.status_code for a in answers] == [302, 302, 302]
    assert {a["Location"] for a in answers} == {"/accounts/password_reset/done/"}
    assert mails_to(staff_user.email) == 1


def test_other_clients_cannot_add_mails_to_the_same_person(staff_user):
    for number in range(4):
        ask(staff_user.email, address=f"41.0.0.{10 + number}")
    assert mails_to(staff_user.email) == 1


def test_after_the_window_the_person_can_have_another(staff_user, settings, frozen):
    frozen(2026, 11, 24, 9, 0)
    ask(staff_user.email)
    frozen(2026, 11, 24, 9, 5)
    ask(staff_user.email)
    assert mails_to(staff_user.email) == 1
    frozen(2026, 11, 24, 9, 0 + settings.PASSWORD_RESET_WINDOW // timedelta(minutes=1) + 1)
    ask(staff_user.email)
    assert mails_to(staff_user.email) == 2


def test_one_client_asking_for_many_addresses_is_limited(settings):
    people = [UserFactory(username=f"clerk{n}") for n in range(settings.PASSWORD_RESET_PER_CLIENT + 3)]
    for person in people:
        assert ask(person.email, address="41.0.0.99").status_code == 302
    deliver_outbox()
    assert len(mail.outbox) == settings.PASSWORD_RESET_PER_CLIENT
    # The last person, asking from their own computer, still gets their mail.
    ask(people[-1].email, address="10.1.1.50")
    assert mails_to(people[-1].email) == 1


def test_addresses_without_an_account_count_against_the_client_too(staff_user, settings):
    for number in range(settings.PASSWORD_RESET_PER_CLIENT):
        ask(f"nobody{number}@mbashe.invalid", address="41.0.0.99")
    ask(staff_user.email, address="41.0.0.99")
    assert mails_to(staff_user.email) == 0


def test_the_answer_is_the_same_for_an_address_with_and_without_an_account(staff_user):
    known = Client().post("/accounts/password_reset/", {"email": staff_user.email}, follow=True)
    unknown = Client().post("/accounts/password_reset/", {"email": "nobody@mbashe.invalid"}, follow=True)
    limited = Client().post("/accounts/password_reset/", {"email": staff_user.email}, follow=True)
    assert known.status_code == unknown.status_code == limited.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain == limited.redirect_chain
    assert known.content == unknown.content == limited.content


def test_the_mail_goes_through_the_outbox_after_commit(staff_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ask(staff_user.email)
    assert len(mail.outbox) == 0  # nothing sent inside the request
    queued = Notification.objects.get(to_address=staff_user.email)
    assert queued.key.startswith(f"password-reset:{staff_user.pk}:")
    assert "/accounts/reset/" in queued.body_text
    assert len(callbacks) == 1
    assert mails_to(staff_user.email) == 1


def test_no_address_is_kept_in_plain_text(staff_user):
    from accounts.models import PasswordResetRequest

    ask(staff_user.email)
    ask("nobody@mbashe.invalid")
    stored = list(PasswordResetRequest.objects.values_list("address_digest", flat=True))
    assert len(stored) == 2
    assert all("@" not in value for value in stored)
