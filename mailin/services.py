"""One message in, once: the one code path for IMAP polling (mailin/imap.py) and the pipe
(`manage.py mail_ingest`). Tickets and comments are made by incidents' own services, files pass the same
checks as uploads, and every mail we send goes through the outbox (common.outbox).

`message_ingest` writes the message's `InboundMessage` row (unique key) in the same transaction as the
ticket or comment, so taking the same message twice (fetched again after a crash between the commit and
marking it seen, piped again by an MTA that retried) changes nothing more. A database failure propagates:
the IMAP poll leaves the message unseen, the pipe exits non-zero, and the message comes again.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from catalogue.models import TicketKind
from common.models import Notification
from common.outbox import notification_send
from incidents.attachments import attachment_check
from incidents.models import Channel, Status, Ticket, pk_from_reference
from incidents.permissions import party_of
from incidents.services import ticket_comment, ticket_log

from . import messages
from .models import InboundMessage, Mailbox, SenderCheck

logger = logging.getLogger(__name__)
Outcome = InboundMessage.Outcome


@dataclass(frozen=True)
class Taken:
    """What became of one message; `duplicate` when it had been taken before (nothing changed now)."""

    key: str
    outcome: str
    reason: str = ""
    ticket_id: int | None = None
    comment_id: int | None = None
    duplicate: bool = False


def message_ingest(*, raw: bytes, mailbox: Mailbox | None, via: str, size: int | None = None) -> Taken:
    """Take one raw RFC 5322 message. `size` is the message's full size when only its headers were read
    (IMAP does not download a message over MAIL_MAX_MB); such a message is refused, the sender told."""
    size = size if size is not None else len(raw)
    if size > messages.max_message_bytes():
        return _too_large(raw, mailbox, via, size)
    try:
        message = messages.parse(raw)
    except messages.Malformed as bad:
        key = messages.key_from_headers(raw)
        return _record(key, mailbox, via, raw, None, size, Outcome.MALFORMED, str(bad), keep_raw=True)
    key = messages.message_key(raw, message)
    known = _known(key)
    if known is not None:
        return known
    try:
        with transaction.atomic():
            row = _row(key, mailbox, via, raw, message, size)
            taken = _decide(row, message, mailbox)
    except IntegrityError:  # the same message taken by another poll or pipe at this very moment
        known = _known(key)
        if known is None:
            raise
        return known
    log = logger.warning if taken.outcome in (Outcome.MALFORMED, Outcome.REFUSED) else logger.info
    log("mail %s from %s: %s %s", key, row.sender, taken.outcome, taken.reason)
    return taken


def _known(key: str) -> Taken | None:
    row = InboundMessage.objects.filter(key=key).first()
    if row is None:
        return None
    return Taken(key, row.outcome, row.reason, row.ticket_id, row.comment_id, duplicate=True)


def _row(key, mailbox, via, raw, message, size) -> InboundMessage:
    return InboundMessage.objects.create(
        key=key,
        mailbox=mailbox,
        via=via,
        sender=messages.sender_of(message)[:254] if message is not None else "",
        subject=messages.header(message, "Subject")[:200] if message is not None else "",
        size=size,
        headers=messages.headers_text(message, raw),
        outcome=Outcome.IGNORED,
    )


def _record(key, mailbox, via, raw, message, size, outcome, reason, *, keep_raw=False) -> Taken:
    known = _known(key)
    if known is not None:
        return known
    try:
        with transaction.atomic():
            row = _row(key, mailbox, via, raw, message, size)
            _finish(row, outcome, reason, keep_raw=keep_raw, raw=raw)
    except IntegrityError:
        known = _known(key)
        if known is None:
            raise
        return known
    logger.warning("mail %s: %s %s", key, outcome, reason)
    return Taken(key, outcome, reason)


def _finish(row: InboundMessage, outcome: str, reason: str, *, keep_raw=False, raw=b"", **fields) -> None:
    row.outcome, row.reason = outcome, reason[:300]
    if keep_raw:
        row.raw = raw
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()


def _too_large(head: bytes, mailbox, via, size) -> Taken:
    key = messages.key_from_headers(head)
    known = _known(key)
    if known is not None:
        return known
    limit = settings.MAIL_MAX_MB
    reason = f"{size / (1024 * 1024):.0f} MB, larger than the {limit} MB a mail may be"
    try:
        message = messages.parse(re.split(rb"\r?\n\r?\n", head, maxsplit=1)[0] + b"\r\n\r\n")
    except messages.Malformed:
        message = None
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = _row(key, mailbox, via, head, message, size)
        except IntegrityError:
            return _known(key) or Taken(key, Outcome.REFUSED, reason, duplicate=True)
        told = (
            message is not None
            and not messages.noise_reason(message)
            and _answer(row, message, "too_large", {"limit": limit, "size_mb": round(size / (1024 * 1024))})
        )
        _finish(row, Outcome.REFUSED, reason, acknowledged=told)
    logger.warning("mail %s from %s refused: %s", key, row.sender, reason)
    return Taken(key, Outcome.REFUSED, reason)


# --- what the message becomes -------------------------------------------------------------------------


def _decide(row: InboundMessage, message: EmailMessage, mailbox: Mailbox | None) -> Taken:
    sender = row.sender
    noise = messages.noise_reason(message)
    if noise:
        _finish(row, Outcome.IGNORED, noise)
        return Taken(row.key, Outcome.IGNORED, noise)
    if sender in _our_addresses():
        _finish(row, Outcome.IGNORED, "our own address")
        return Taken(row.key, Outcome.IGNORED, "our own address")
    if _too_many(sender):
        reason = f"more than {settings.MAIL_SENDER_HOURLY_LIMIT} mails from this sender in an hour"
        _finish(row, Outcome.IGNORED, reason, keep_raw=True, raw=_raw_of(message))
        return Taken(row.key, Outcome.IGNORED, reason)
    if mailbox is None:
        mailbox = _mailbox_for(message)
        if mailbox is None:
            reason = "no mailbox is configured for this address"
            _finish(row, Outcome.MALFORMED, reason, keep_raw=True, raw=_raw_of(message))
            return Taken(row.key, Outcome.MALFORMED, reason)
        row.mailbox = mailbox
    user = _person(sender)
    body = messages.body_text(message)
    files, refused = _files(message)

    answered = _answered_ticket(message)
    follows = None
    if answered is not None and user is not None and party_of(user, answered) is not None:
        if answered.status != Status.CLOSED:
            try:
                with transaction.atomic():
                    comment = ticket_comment(
                        ticket=answered, by=user, body=body or "(The mail had no text.)", files=files
                    )
            except (ValidationError, PermissionDenied) as refusal:
                return _cannot(row, message, refusal)
            _tell_refused_files(row, message, answered, refused)
            _finish(row, Outcome.COMMENT, f"on {answered.reference}", ticket=answered, comment=comment)
            return Taken(row.key, Outcome.COMMENT, "", answered.pk, comment.pk)
        follows = answered  # a reply to a closed ticket opens a new one that names the old

    if user is None:
        domain = sender.rsplit("@", 1)[-1]
        if domain not in settings.MAIL_INTERNAL_DOMAINS and not mailbox.allow_outside_domains:
            # Kept for the desk, not answered: a reply to every outside sender would be backscatter to
            # the forged addresses of spam.
            reason = "not from the municipality's domains"
            _finish(row, Outcome.REFUSED, reason, keep_raw=True, raw=_raw_of(message))
            return Taken(row.key, Outcome.REFUSED, reason)
        if mailbox.unknown_sender_policy == Mailbox.Policy.REFUSE:
            return _refuse(row, message, "unknown", "the sender is not known to the desk")
        user = _new_person(message, sender, mailbox)

    description = body or "(The mail had no text.)"
    if follows is not None:
        description = f"Follows up {follows.reference} (closed): {follows.summary}\n\n{description}"
    service = mailbox.service
    kind = TicketKind.INCIDENT if TicketKind.INCIDENT in service.kinds else TicketKind.REQUEST
    try:
        with transaction.atomic():
            ticket = ticket_log(
                requester=user,
                service=service,
                site=user.site or mailbox.site,
                summary=messages.summary_of(row.subject, body),
                description=description,
                impact=mailbox.impact,
                urgency=mailbox.urgency,
                kind=kind,
                channel=Channel.EMAIL,
                channel_received=True,
                files=files,
            )
    except (ValidationError, PermissionDenied) as refusal:
        return _cannot(row, message, refusal)
    _tell_refused_files(row, message, ticket, refused)
    _finish(row, Outcome.TICKET, ticket.reference, ticket=ticket)
    return Taken(row.key, Outcome.TICKET, "", ticket.pk)


def _raw_of(message: EmailMessage) -> bytes:
    try:
        return message.as_bytes()
    except Exception:  # a message the generator cannot write back keeps its headers (InboundMessage)
        return b""


def _cannot(row, message, refusal) -> Taken:
    """The desk's own rules refused the ticket (a retired service on the mailbox, say): the mail is kept
    raw for the desk and reported, never lost."""
    reason = "; ".join(getattr(refusal, "messages", None) or [str(refusal)])[:300]
    _finish(row, Outcome.MALFORMED, f"could not be logged: {reason}", keep_raw=True, raw=_raw_of(message))
    return Taken(row.key, Outcome.MALFORMED, reason)


def _our_addresses() -> set[str]:
    from email.utils import parseaddr

    ours = {parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower(), parseaddr(settings.SERVER_EMAIL)[1].lower()}
    if settings.MAIL_REPLY_TO:
        ours.add(settings.MAIL_REPLY_TO.lower())
    ours |= {address.lower() for address in Mailbox.objects.values_list("address", flat=True)}
    return ours - {""}


def _too_many(sender: str) -> bool:
    """Tickets and refusals (each answered by a mail to the sender) in the last hour, per sender: a
    looping robot that sets none of the auto-reply headers is cut off here."""
    since = timezone.now() - timedelta(hours=1)
    made = InboundMessage.objects.filter(
        sender=sender, received_at__gte=since, outcome__in=[Outcome.TICKET, Outcome.REFUSED]
    ).count()
    return made >= settings.MAIL_SENDER_HOURLY_LIMIT


def _mailbox_for(message: EmailMessage) -> Mailbox | None:
    """The pipe without --mailbox: the mailbox the message was addressed to, else the only one."""
    addresses = [re.sub(r"\+[^@]*@", "@", a) for a in messages.recipients_of(message)]
    found = Mailbox.objects.filter(address__in=addresses).order_by("pk").first()
    if found is None and Mailbox.objects.count() == 1:
        found = Mailbox.objects.first()
    return found


def _person(sender: str):
    return (
        get_user_model()
        .objects.filter(email__iexact=sender, is_active=True)
        .select_related("site")
        .order_by("pk")
        .first()
    )


def _new_person(message: EmailMessage, sender: str, mailbox: Mailbox):
    """A staff record for an unknown sender at a municipal address, in "needs checking" (SenderCheck):
    no role and no password until the desk checks it."""
    from email.utils import getaddresses

    User = get_user_model()
    name = next((n for n, a in getaddresses([messages.header(message, "From")]) if n), "")
    first, _, last = name.strip().partition(" ")
    base = re.sub(r"[^a-z0-9.@+_-]", "", sender)[:140] or "mail-sender"
    username, n = base, 1
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"{base}-{n}"
    user = User(username=username, email=sender, first_name=first[:150], last_name=last[:150])
    user.set_unusable_password()
    user.save()
    SenderCheck.objects.create(user=user, mailbox=mailbox)
    return user


def _answered_ticket(message: EmailMessage) -> Ticket | None:
    reply = messages.answers(message)
    if reply.notification_ids:
        ticket_type = ContentType.objects.get_for_model(Ticket)
        about = (
            Notification.objects.filter(pk__in=reply.notification_ids, about_type=ticket_type)
            .values_list("about_id", flat=True)
            .first()
        )
        if about is not None:
            return Ticket.objects.filter(pk=about).first()
    for reference in reply.references:
        pk = pk_from_reference(reference)
        if pk is not None:
            ticket = Ticket.objects.filter(pk=pk).first()
            if ticket is not None and ticket.reference == reference:
                return ticket
    return None


def _files(message: EmailMessage) -> tuple[list[messages.MailFile], list[str]]:
    """The files a ticket may keep, by the upload checks (type by content, size, count), and the
    refusals in plain words."""
    kept: list[messages.MailFile] = []
    refused: list[str] = []
    for part in messages.files_of(message):
        try:
            attachment_check(part)
        except ValidationError as invalid:
            refused.append("; ".join(invalid.messages))
            continue
        if len(kept) >= settings.ATTACHMENT_MAX_FILES:
            refused.append(f"{part.name}: at most {settings.ATTACHMENT_MAX_FILES} files are kept per mail.")
            continue
        kept.append(part)
    return kept, refused


# --- what we answer -----------------------------------------------------------------------------------


def _answer(row: InboundMessage, message: EmailMessage, template: str, context: dict, ticket=None) -> bool:
    """One mail to the sender about this message, through the outbox (once per message and kind)."""
    context = {
        **context,
        "subject": row.subject or "(no subject)",
        "ticket": ticket,
        "desk": settings.SERVICE_DESK_NAME,
        "organisation_name": settings.ORGANISATION_NAME,
    }
    return notification_send(
        key=f"mailin:{row.key}:{template}",
        to_address=row.sender,
        subject=render_to_string(f"mailin/mail/{template}_subject.txt", context).strip(),
        body_text=render_to_string(f"mailin/mail/{template}.txt", context),
        about=ticket,
        thread=ticket.reference if ticket is not None else "",
    )


def _refuse(row, message, template: str, reason: str) -> Taken:
    told = _answer(row, message, template, {})
    _finish(row, Outcome.REFUSED, reason, keep_raw=True, raw=_raw_of(message), acknowledged=told)
    return Taken(row.key, Outcome.REFUSED, reason)


def _tell_refused_files(row, message, ticket, refused: list[str]) -> None:
    if refused:
        row.acknowledged = _answer(row, message, "files_refused", {"refused": refused}, ticket=ticket)
