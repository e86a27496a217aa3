"""Issue 21's cases against real servers: Dovecot (IMAP) and aiosmtpd (what we send), each case through
both ways in, the IMAP poll and the `mail_ingest` pipe: they share one code path (mailin.services)."""

from __future__ import annotations

import io
import sys
from email import message_from_bytes, policy

import pytest
from django.core.management import call_command
from django.db import OperationalError

from common.models import Notification
from common.outbox import notification_deliver
from incidents import services as ticket_services
from incidents.models import Channel, Comment, PendingReason, Status, Ticket
from mailin import imap
from mailin.models import InboundMessage, Mailbox, SenderCheck
from mailin.services import message_ingest

from .mails import PNG, bounce, large, mail

pytestmark = pytest.mark.django_db


def pipe(raw: bytes, *args: str) -> int:
    """`manage.py mail_ingest` with `raw` on standard input; its exit code."""
    stdin = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(raw))
    try:
        call_command("mail_ingest", *args, stdout=io.StringIO(), stderr=io.StringIO())
    except SystemExit as exit_:
        return int(exit_.code or 0)
    finally:
        sys.stdin = stdin
    return 0


def poll(mailbox: Mailbox) -> imap.Poll:
    Mailbox.objects.filter(pk=mailbox.pk).update(next_poll_at=None, polling_until=None)
    [result] = imap.mailboxes_poll()
    return result


@pytest.fixture(params=["imap", "pipe"])
def deliver(request, mailbox):
    """deliver(raw) through one way in: appended to Dovecot and polled, or piped to mail_ingest."""
    if request.param == "imap":
        server = request.getfixturevalue("dovecot")
        mailbox.port = server.port
        mailbox.save()

        def by_imap(*raws: bytes) -> int:
            server.append(*raws)
            result = poll(mailbox)
            assert result.ok, result.error
            assert server.unseen() == 0  # every message taken is marked seen
            return 0

        by_imap.way = "imap"
        return by_imap

    def by_pipe(*raws: bytes) -> int:
        codes = {pipe(raw) for raw in raws}
        assert codes == {0}
        return 0

    by_pipe.way = "pipe"
    return by_pipe


def sent(smtp) -> list:
    """Deliver every unsent notification to the SMTP receiver; the mails it got, parsed."""
    for pk in Notification.objects.filter(sent_at__isnull=True).values_list("pk", flat=True):
        notification_deliver(notification_id=pk)
    return [message_from_bytes(raw, policy=policy.default) for raw in smtp.messages]


# --- a mail in -> a ticket ---------------------------------------------------------------------------


def test_a_mail_from_a_known_person_becomes_a_ticket(deliver, nomsa, mailbox, smtp):
    raw = mail(
        sender=f"Nomsa <{nomsa.email.upper()}>",  # the address in any case
        subject="Printer at Willowvale jams",
        body="It jams on every page.\n\nOn Mon, 7 Dec 2026, Sipho wrote:\n> old text\n-- \nNomsa, Finance",
        files=[("jam.png", PNG, "image/png"), ("setup.exe", b"MZ\x90\x00" * 10, "application/octet-stream")],
    )
    deliver(raw)

    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.EMAIL
    assert ticket.requester == nomsa and ticket.logged_by == nomsa
    assert ticket.summary == "Printer at Willowvale jams"
    assert ticket.description == "It jams on every page."  # history and signature trimmed
    assert ticket.site == nomsa.site  # the requester's site
    assert ticket.service == mailbox.service
    assert (ticket.impact, ticket.urgency) == (mailbox.impact, mailbox.urgency)
    assert ticket.priority_reason  # by the matrix
    assert [a.original_name for a in ticket.attachments.all()] == ["jam.png"]
    assert InboundMessage.objects.get().outcome == InboundMessage.Outcome.TICKET

    mails = sent(smtp)
    to_nomsa = [m for m in mails if nomsa.email.lower() in m["To"].lower()]
    subjects = [m["Subject"] for m in to_nomsa]
    assert any("We have your ticket" in s for s in subjects)
    refused = next(m for m in to_nomsa if "not attached" in m["Subject"])
    assert "setup.exe" in refused.get_body(("plain",)).get_content()  # the refused file is named
    for message in mails:  # every mail we send threads and stops auto-replies
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["X-Auto-Response-Suppress"] == "All"
        assert message["Message-ID"]
        assert message["In-Reply-To"] == message["References"] == f"<thread-{ticket.reference}@mbashe.gov.za>"
        assert message["Reply-To"] == "ict@mbashe.gov.za"
        assert f"[{ticket.reference}]" in message["Subject"]


def test_html_only_mail_becomes_plain_text(deliver, nomsa):
    deliver(
        mail(
            sender=nomsa.email,
            body="",
            html="<html><head><style>p{}</style><script>alert(1)</script></head><body>"
            "<p>Screen is <b>black</b></p><p>since&nbsp;morning</p>"
            "<blockquote>quoted history</blockquote></body></html>",
        )
    )
    description = Ticket.objects.get().description
    assert "Screen is black" in description and "since\xa0morning" in description
    assert "<" not in description and "alert" not in description and "quoted history" not in description


# --- a reply by mail -> a comment on the same ticket -------------------------------------------------


def test_a_reply_to_our_mail_is_a_comment_on_the_same_ticket(deliver, nomsa, sipho, smtp):
    deliver(mail(sender=nomsa.email, subject="No network at Elliotdale"))
    ticket = Ticket.objects.get()
    ticket_services.ticket_change_status(
        ticket=ticket, to=Status.PENDING, by=sipho, pending_reason=PendingReason.USER, note="Which office?"
    )
    question = next(m for m in sent(smtp) if "Which office" in m.get_body(("plain",)).get_content())

    reply = mail(
        sender=nomsa.email,
        subject="RE: " + question["Subject"],
        body="Room 12, upstairs.\n\n-----Original Message-----\nFrom: desk",
        headers={"In-Reply-To": question["Message-ID"], "References": question["References"]},
    )
    deliver(reply)

    assert Ticket.objects.count() == 1
    comment = Comment.objects.filter(ticket=ticket, author=nomsa).get()
    assert comment.body == "Room 12, upstairs." and not comment.internal
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS  # the requester's answer resumes it, as a web reply does
    assert InboundMessage.objects.get(comment=comment).outcome == InboundMessage.Outcome.COMMENT


def test_the_reference_in_the_subject_is_enough(deliver, nomsa):
    deliver(mail(sender=nomsa.email))
    ticket = Ticket.objects.get()
    deliver(mail(sender=nomsa.email, subject=f"Re: [{ticket.reference}] still jamming", body="Still."))
    assert Ticket.objects.count() == 1
    assert ticket.comments.get().body == "Still."


def test_a_reply_to_a_closed_ticket_opens_a_new_one_that_names_it(deliver, nomsa, sipho):
    deliver(mail(sender=nomsa.email))
    old = Ticket.objects.get()
    ticket_services.ticket_change_status(ticket=old, to=Status.CLOSED, by=sipho, note="duplicate")
    deliver(mail(sender=nomsa.email, subject=f"Re: [{old.reference}] printer", body="It is back."))
    new = Ticket.objects.exclude(pk=old.pk).get()
    assert new.description.startswith(f"Follows up {old.reference} (closed)")


def test_someone_elses_ticket_reference_does_not_comment_on_it(deliver, nomsa):
    deliver(mail(sender=nomsa.email))
    ticket = Ticket.objects.get()
    from tests.factories import UserFactory

    UserFactory(username="thabo", email="thabo@mbashe.gov.za")
    deliver(mail(sender="thabo@mbashe.gov.za", subject=f"Re: [{ticket.reference}] me too"))
    assert ticket.comments.count() == 0
    assert Ticket.objects.count() == 2  # Thabo's own ticket


# --- once and only once -------------------------------------------------------------------------------


def test_the_same_message_twice_is_one_ticket(deliver, nomsa):
    raw = mail(sender=nomsa.email)
    deliver(raw)
    deliver(raw)
    assert Ticket.objects.count() == 1
    assert InboundMessage.objects.count() == 1


def test_a_message_without_message_id_is_known_by_its_hash(deliver, nomsa):
    raw = mail(sender=nomsa.email, message_id="")
    deliver(raw)
    deliver(raw)
    assert Ticket.objects.count() == 1
    assert InboundMessage.objects.get().key.startswith("sha256:")


# --- loops and noise ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "auto_reply"},
        {"Precedence": "bulk"},
        {"X-Autoreply": "yes"},
        {"X-Auto-Response-Suppress": "All"},
        {"Return-Path": "<>"},
    ],
)
def test_an_auto_reply_makes_nothing(deliver, nomsa, headers):
    deliver(mail(sender=nomsa.email, subject="Out of office: Printer", headers=headers))
    assert Ticket.objects.count() == 0
    assert Notification.objects.count() == 0
    assert InboundMessage.objects.get().outcome == InboundMessage.Outcome.IGNORED


def test_a_bounce_makes_nothing(deliver):
    deliver(bounce())
    assert Ticket.objects.count() == 0
    assert Notification.objects.count() == 0
    assert InboundMessage.objects.get().outcome == InboundMessage.Outcome.IGNORED


def test_our_own_mail_coming_back_makes_nothing(deliver):
    deliver(
        mail(
            sender="ICT Service Desk <servicedesk@mbashe.gov.za>", subject="[INC-000001] We have your ticket"
        )
    )
    assert Ticket.objects.count() == 0 and Notification.objects.count() == 0


def test_a_sender_is_answered_at_most_n_times_an_hour(deliver, nomsa, settings):
    settings.MAIL_SENDER_HOURLY_LIMIT = 3
    deliver(*[mail(sender=nomsa.email, subject=f"Robot {n}") for n in range(5)])
    assert Ticket.objects.count() == 3
    kept = InboundMessage.objects.filter(outcome=InboundMessage.Outcome.IGNORED)
    assert kept.count() == 2 and all(row.raw for row in kept)  # kept for the desk, not dropped


# --- limits -------------------------------------------------------------------------------------------


def test_a_30_mb_message_is_refused_and_reported(deliver, nomsa, smtp):
    deliver(large(30))
    assert Ticket.objects.count() == 0
    row = InboundMessage.objects.get()
    assert row.outcome == InboundMessage.Outcome.REFUSED and "MB, larger than the 25 MB" in row.reason
    assert row.size > 29 * 1024 * 1024
    [told] = sent(smtp)
    assert told["To"] == "nomsa.dlamini@mbashe.gov.za" and "Not received" in told["Subject"]
    assert "25 MB" in told.get_body(("plain",)).get_content()
    if deliver.way == "imap":  # never downloaded whole: only its headers were fetched and kept
        assert len(row.headers) < 4096


def test_a_malformed_message_is_kept_and_reported(deliver):
    deliver(b"Subject: no sender at all\r\n\r\nwho am I?\r\n")
    row = InboundMessage.objects.get()
    assert row.outcome == InboundMessage.Outcome.MALFORMED and bytes(row.raw).startswith(b"Subject")
    assert Ticket.objects.count() == 0


# --- unknown senders and other domains ----------------------------------------------------------------


def test_an_unknown_municipal_sender_gets_a_ticket_and_a_record_to_check(deliver, mailbox):
    deliver(mail(sender="Ayanda Mbeki <ayanda.mbeki@mbashe.gov.za>"))
    ticket = Ticket.objects.get()
    check = SenderCheck.objects.get()
    assert ticket.requester == check.user and not check.checked
    assert check.user.first_name == "Ayanda" and not check.user.has_usable_password()
    assert ticket.site == mailbox.site  # no usual site yet: the mailbox's


def test_an_unknown_sender_is_refused_politely_when_the_mailbox_says_so(deliver, mailbox):
    Mailbox.objects.filter(pk=mailbox.pk).update(unknown_sender_policy=Mailbox.Policy.REFUSE)
    deliver(mail(sender="ayanda.mbeki@mbashe.gov.za"))
    assert Ticket.objects.count() == 0
    assert InboundMessage.objects.get().outcome == InboundMessage.Outcome.REFUSED
    assert Notification.objects.get().to_address == "ayanda.mbeki@mbashe.gov.za"


def test_mail_from_outside_the_municipality_is_refused_unless_allowed(deliver, mailbox):
    deliver(mail(sender="sales@printers.example.com", subject="Special offer"))
    assert Ticket.objects.count() == 0
    refused = InboundMessage.objects.get()
    assert refused.outcome == InboundMessage.Outcome.REFUSED and refused.raw  # kept for the desk
    assert Notification.objects.count() == 0  # never answered: no backscatter to forged senders
    Mailbox.objects.filter(pk=mailbox.pk).update(allow_outside_domains=True)
    deliver(mail(sender="consultant@partner.example.com"))
    assert Ticket.objects.count() == 1


# --- failures of the way in ---------------------------------------------------------------------------


def test_imap_server_stopped_mid_poll_loses_nothing_and_doubles_nothing(
    imap_mailbox, dovecot, nomsa, monkeypatch
):
    dovecot.append(*[mail(sender=nomsa.email, subject=f"Fault {n}") for n in range(4)])
    ingest = imap.message_ingest
    taken = []

    def ingest_then_the_server_goes(**kwargs):
        result = ingest(**kwargs)
        taken.append(result)
        if len(taken) == 2:
            dovecot.stop()  # after the second ticket's commit, before it is marked seen
        return result

    monkeypatch.setattr(imap, "message_ingest", ingest_then_the_server_goes)
    first = poll(imap_mailbox)
    assert not first.ok and Ticket.objects.count() == 2
    imap_mailbox.refresh_from_db()
    assert imap_mailbox.last_poll_ok is False and imap_mailbox.failures == 1 and imap_mailbox.next_poll_at
    assert imap.mailboxes_poll() == []  # backing off

    monkeypatch.setattr(imap, "message_ingest", ingest)
    dovecot.start()
    again = poll(imap_mailbox)
    assert again.ok
    assert sorted(Ticket.objects.values_list("summary", flat=True)) == [f"Fault {n}" for n in range(4)]
    assert [t.duplicate for t in again.taken].count(True) == 1  # the second, taken again, only marked
    assert dovecot.unseen() == 0
    imap_mailbox.refresh_from_db()
    assert imap_mailbox.last_poll_ok and imap_mailbox.failures == 0


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after it runs, no except clause of ours catches it."""


def test_worker_killed_between_commit_and_marking_seen_gives_one_ticket(
    imap_mailbox, dovecot, nomsa, monkeypatch
):
    dovecot.append(mail(sender=nomsa.email))

    def killed(connection, uid):
        raise WorkerKilled

    mark_seen = imap.mark_seen
    monkeypatch.setattr(imap, "mark_seen", killed)
    with pytest.raises(WorkerKilled):
        poll(imap_mailbox)
    assert Ticket.objects.count() == 1 and dovecot.unseen() == 1

    monkeypatch.setattr(imap, "mark_seen", mark_seen)
    imap_mailbox.refresh_from_db()
    result = poll(imap_mailbox)
    assert result.ok and result.taken[0].duplicate
    assert Ticket.objects.count() == 1 and dovecot.unseen() == 0


def test_pipe_killed_after_commit_then_retried_by_the_mta_gives_one_ticket(mailbox, nomsa):
    raw = mail(sender=nomsa.email)
    assert pipe(raw) == 0  # taken; the MTA never heard back (the process died) ...
    assert pipe(raw) == 0  # ... so it delivers again
    assert Ticket.objects.count() == 1


def test_pipe_asks_the_mta_to_retry_when_the_database_is_down(mailbox, nomsa, monkeypatch):
    def database_down(**kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr("mailin.management.commands.mail_ingest.message_ingest", database_down)
    raw = mail(sender=nomsa.email)
    assert pipe(raw) == 75  # EX_TEMPFAIL: Postfix and Exim keep it and retry
    assert Ticket.objects.count() == 0
    monkeypatch.setattr("mailin.management.commands.mail_ingest.message_ingest", message_ingest)
    assert pipe(raw) == 0 and Ticket.objects.count() == 1


def test_pipe_exits_zero_for_what_it_deliberately_ignores(mailbox):
    assert pipe(bounce()) == 0
    assert pipe(mail(headers={"Auto-Submitted": "auto-replied"})) == 0


def test_an_unreachable_mailbox_shows_on_healthz_and_admin(imap_mailbox, dovecot, client, admin_user):
    dovecot.stop()
    assert not poll(imap_mailbox).ok
    body = client.get("/healthz").json()
    assert body["mailboxes"] == {"ok": False, "failing": 1}
    assert body["status"] == "ok"  # informational: web stays up

    client.force_login(admin_user)
    page = client.get(f"/admin/mailin/mailbox/{imap_mailbox.pk}/change/").content.decode()
    assert "ConnectionRefusedError" in page or "Errno" in page
    assert "MAILBOX_TEST_SECRET is set" in page and "dovecot-test-secret" not in page  # never shown back
