"""Who is told what, by e-mail, when a ticket changes.

Only "who is mailed what" lives here: each mail goes through the outbox (common.outbox) with an
idempotency key (the event and the recipient), in the same transaction as the change, and is sent after
commit; a rolled-back change sends nothing, and queuing the same event twice sends one mail. Internal
notes never reach a requester.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.template.loader import get_template
from django.urls import reverse

from catalogue.models import SupportGroup
from common.addresses import absolute_url
from common.models import Notification
from common.outbox import clean_header, notifications_send

from .models import Comment, Ticket

RATING_SALT = "incidents.rating"
RATING_LINK_MAX_AGE = 60 * 60 * 24 * 30  # a month: staff rate when they next read their mail


def ticket_url(ticket: Ticket) -> str:
    return absolute_url(reverse("ticket_detail", args=[ticket.pk]))


def rating_token(ticket: Ticket) -> str:
    return signing.dumps({"ticket": ticket.pk}, salt=RATING_SALT, compress=True)


def rating_ticket_id(token: str) -> int:
    """The ticket a rating link is for; raises signing.BadSignature (or SignatureExpired) when not valid."""
    return int(signing.loads(token, salt=RATING_SALT, max_age=RATING_LINK_MAX_AGE)["ticket"])


def rating_url(ticket: Ticket, score: int | None = None) -> str:
    url = absolute_url(reverse("rate_by_link", args=[rating_token(ticket)]))
    return f"{url}?score={score}" if score else url


def _mail_texts(
    ticket: Ticket, recipient, template: str, context: dict, loaded: dict | None = None
) -> tuple[str, str, str]:
    """The mail's subject, text and HTML from its three templates (render_to_string's output; `loaded`
    keeps the templates a batch of mails has looked up, so each is found once per batch)."""
    context = {
        **context,
        "ticket": ticket,
        "ticket_url": ticket_url(ticket),
        "recipient": recipient,
        "organisation_name": settings.ORGANISATION_NAME,
    }
    loaded = {} if loaded is None else loaded
    subject, text, html = (
        f"incidents/mail/{template}_subject.txt",
        f"incidents/mail/{template}.txt",
        f"incidents/mail/{template}.html",
    )
    for name in (subject, text, html):
        if name not in loaded:
            loaded[name] = get_template(name)
    return (
        clean_header(loaded[subject].render(context)),
        loaded[text].render(context),
        loaded[html].render(context),
    )


def _mail(key: str, ticket: Ticket, recipient, address: str, texts: tuple[str, str, str]) -> Notification:
    subject, body_text, body_html = texts
    return Notification(
        key=key[:200],
        about=ticket,
        thread=ticket.reference,
        recipient=recipient,
        to_address=address,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
    )


def _render(key: str, ticket: Ticket, recipient, template: str, context: dict, address: str) -> Notification:
    return _mail(key, ticket, recipient, address, _mail_texts(ticket, recipient, template, context))


def _queue(key: str, ticket: Ticket, recipient, template: str, context: dict, address: str = "") -> None:
    address = address or getattr(recipient, "email", "")
    if not address:
        return
    notifications_send([_render(key, ticket, recipient, template, context, address)])


def _group_recipients(ticket: Ticket) -> list[tuple[object | None, str]]:
    group = ticket.group
    if group is None:
        return []
    if group.email:
        return [(None, group.email)]
    return [(member, member.email) for member in group.members.filter(is_active=True).order_by("pk")]


def ticket_logged(ticket: Ticket) -> None:
    _queue(f"t{ticket.pk}:logged:requester", ticket, ticket.requester, "logged", {})
    for user, address in _group_recipients(ticket):
        _queue(f"t{ticket.pk}:logged:group:{address}", ticket, user, "logged_group", {}, address=address)


def ticket_assigned(ticket: Ticket, by=None) -> None:
    _queue(
        f"t{ticket.pk}:assigned:{ticket.assignee_id}:v{ticket.version}",
        ticket,
        ticket.assignee,
        "assigned",
        {"by": by},
    )


def ticket_replied(ticket: Ticket, comment: Comment) -> None:
    """A public reply goes to the other side: support's reply to the requester, the requester's to support."""
    if comment.internal:
        return
    if comment.author_id == ticket.requester_id:
        if ticket.assignee_id:
            recipients = [(ticket.assignee, ticket.assignee.email)]
        else:
            recipients = _group_recipients(ticket)
    else:
        recipients = [(ticket.requester, ticket.requester.email)]
    for user, address in recipients:
        _queue(f"c{comment.pk}:reply:{address}", ticket, user, "reply", {"comment": comment}, address=address)


def ticket_resolved(ticket: Ticket) -> None:
    context = {
        "rating_links": [(score, rating_url(ticket, score)) for score in range(5, 0, -1)],
        "reopen_days": settings.REOPEN_WINDOW_DAYS,
    }
    stamp = int(ticket.resolved_at.timestamp())
    _queue(f"t{ticket.pk}:resolved:{stamp}", ticket, ticket.requester, "resolved", context)


def ticket_reopened(ticket: Ticket, by=None, reason: Comment | None = None) -> None:
    """The technician (else the group) is told, with the requester's reason when they gave one."""
    recipients = (
        [(ticket.assignee, ticket.assignee.email)] if ticket.assignee_id else _group_recipients(ticket)
    )
    for user, address in recipients:
        if by is not None and user is not None and user.pk == by.pk:
            continue  # the technician who reopened it knows
        _queue(
            f"t{ticket.pk}:reopened:{ticket.reopen_count}:{address}",
            ticket,
            user,
            "reopened",
            {"by": by, "reason": reason},
            address=address,
        )


def ticket_waiting_on_requester(ticket: Ticket, by=None, question: Comment | None = None) -> None:
    """The ticket waits on its requester: they are told what the desk needs (the question, when asked) and
    where to answer; their answer on the ticket resumes it (services.ticket_comment)."""
    if by is not None and by.pk == ticket.requester_id:
        return
    stamp = question.pk if question is not None else f"v{ticket.version}"
    _queue(
        f"t{ticket.pk}:waiting:{stamp}",
        ticket,
        ticket.requester,
        "waiting",
        {"by": by, "question": question, "answer_url": ticket_url(ticket) + "#reply"},
    )


def sla_events(events) -> None:
    """A warning goes to the assignee (or the group); a breach also to the group lead and the ICT manager.

    Called once per sweep batch: the tickets, their groups' members and the managers are read once for the
    whole batch and the mails written in one insert, so a sweep that catches up after an outage does not
    hold its row locks for seconds (docs/benchmarks.md, finding 7)."""
    from django.contrib.auth import get_user_model

    from common.access import MANAGER

    tickets = Ticket.objects.select_related("assignee", "group__lead", "service", "site").in_bulk(
        {event.ticket_id for event in events}
    )
    members: dict[int, list[int]] = {}
    mailed_groups = {t.group_id for t in tickets.values() if t.group_id and not t.group.email}
    for group_id, user_id in (
        SupportGroup.members.through.objects.filter(supportgroup_id__in=mailed_groups, user__is_active=True)
        .order_by("user_id")
        .values_list("supportgroup_id", "user_id")
    ):
        members.setdefault(group_id, []).append(user_id)
    people = get_user_model().objects.in_bulk({pk for pks in members.values() for pk in pks})
    managers = None
    rows = []
    loaded: dict = {}
    for event in events:
        ticket = tickets[event.ticket_id]
        if ticket.assignee_id:
            recipients = [(ticket.assignee, ticket.assignee.email)]
        elif ticket.group_id and ticket.group.email:
            recipients = [(None, ticket.group.email)]
        elif ticket.group_id:
            recipients = [(people[pk], people[pk].email) for pk in members.get(ticket.group_id, [])]
        else:
            recipients = []
        if event.kind == "breach":
            if ticket.group_id and ticket.group.lead_id:
                recipients.append((ticket.group.lead, ticket.group.lead.email))
            if managers is None:
                managers = list(
                    get_user_model().objects.filter(groups__name=MANAGER, is_active=True).order_by("pk")
                )
            recipients += [(manager, manager.email) for manager in managers]
        # One text for everyone the event goes to: the SLA mails do not name their recipient, so each
        # event's three templates are rendered once, not once per recipient (issue 22).
        texts = None
        seen = set()
        for user, address in recipients:
            if address and address not in seen:
                seen.add(address)
                texts = texts or _mail_texts(ticket, None, f"sla_{event.kind}", {"event": event}, loaded)
                rows.append(
                    _mail(
                        # The event's id: a warning cleared and due again later is a new event and a new mail.
                        f"sla:{ticket.pk}:{event.clock}:{event.kind}:{event.pk}:{address}",
                        ticket,
                        user,
                        address,
                        texts,
                    )
                )
    notifications_send(rows)


def sla_events_received(sender, events, **kwargs) -> None:
    """Receiver of slas.signals.sla_events_recorded (connected in incidents.apps)."""
    sla_events(events)
