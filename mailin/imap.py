"""Polling a mailbox over IMAP with the standard library's `imaplib` (docs/decisions/ "mail in").

For each unseen message: its size first (a message over MAIL_MAX_MB is read only as far as its
headers), then the whole message with BODY.PEEK (fetching does not mark it seen), then
`services.message_ingest` commits its ticket, and only then is the message flagged \\Seen. A crash or a
lost connection between the two leaves the message unseen: the next poll takes it again, finds its key
and only marks it. A poll that fails is recorded on the mailbox (admin, /healthz) and backs off.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import re
import ssl
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Mailbox
from .services import Taken, message_ingest

logger = logging.getLogger(__name__)

POLL_LEASE = timedelta(minutes=10)
MAX_BACKOFF = timedelta(minutes=30)
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


class MailboxError(Exception):
    """The server could not be reached, refused us, or went away."""


@dataclass
class Poll:
    mailbox: str
    ok: bool = True
    taken: list[Taken] = field(default_factory=list)
    error: str = ""

    def summary(self) -> str:
        counts: dict[str, int] = {}
        for item in self.taken:
            name = "duplicate" if item.duplicate else item.outcome
            counts[name] = counts.get(name, 0) + 1
        words = ", ".join(f"{n} {name}" for name, n in sorted(counts.items())) or "nothing new"
        return f"{words}; failed: {self.error}" if self.error else words


def connect(mailbox: Mailbox) -> imaplib.IMAP4:
    """Signed in and the folder selected; MailboxError in plain words otherwise. The secret comes from
    the environment variable the mailbox names, never from the database."""
    timeout = settings.MAIL_IMAP_TIMEOUT
    try:
        if mailbox.use_ssl:
            connection: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                mailbox.host, mailbox.port, ssl_context=ssl.create_default_context(), timeout=timeout
            )
        else:
            connection = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=timeout)
        secret = mailbox.secret()
        if not secret:
            raise MailboxError(f"the environment variable {mailbox.secret_env or '(none named)'} is empty")
        if mailbox.auth == Mailbox.Auth.XOAUTH2:
            token = f"user={mailbox.username}\x01auth=Bearer {secret}\x01\x01".encode()
            connection.authenticate("XOAUTH2", lambda _challenge: token)
        else:
            connection.login(mailbox.username, secret)
        status, _ = connection.select(_quoted(mailbox.folder))
        if status != "OK":
            raise MailboxError(f"folder {mailbox.folder} cannot be opened")
    except MailboxError:
        raise
    except (TimeoutError, imaplib.IMAP4.error, OSError, ssl.SSLError) as exc:
        raise MailboxError(_plain(exc)) from exc
    return connection


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _plain(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:250]


def _ok(status: str, data, what: str):
    if status != "OK":
        raise MailboxError(f"{what} refused: {data!r}"[:250])
    return data


def unseen_uids(connection: imaplib.IMAP4) -> list[str]:
    data = _ok(*connection.uid("SEARCH", "UNSEEN"), "SEARCH")
    return (data[0] or b"").decode("ascii").split()


def fetch(connection: imaplib.IMAP4, uid: str) -> tuple[bytes, int]:
    """(the message, its full size); only the headers when it is over MAIL_MAX_MB."""
    data = _ok(*connection.uid("FETCH", uid, "(RFC822.SIZE)"), "FETCH size")
    found = _SIZE.search(data[0] if isinstance(data[0], bytes) else data[0][0])
    size = int(found.group(1)) if found else 0
    part = "BODY.PEEK[HEADER]" if size > settings.MAIL_MAX_MB * 1024 * 1024 else "BODY.PEEK[]"
    data = _ok(*connection.uid("FETCH", uid, f"({part})"), "FETCH")
    for item in data:
        if isinstance(item, tuple):
            return item[1], size
    raise MailboxError(f"message {uid!r} came back empty")


def mark_seen(connection: imaplib.IMAP4, uid: str) -> None:
    _ok(*connection.uid("STORE", uid, "+FLAGS", "(\\Seen)"), "STORE")


def mailbox_poll(mailbox: Mailbox) -> Poll:
    """Take every unseen message (up to MAIL_POLL_BATCH) once; record the outcome on the mailbox."""
    poll = Poll(mailbox.address)
    connection = None
    try:
        connection = connect(mailbox)
        for uid in unseen_uids(connection)[: settings.MAIL_POLL_BATCH]:
            raw, size = fetch(connection, uid)
            poll.taken.append(message_ingest(raw=raw, mailbox=mailbox, via="imap", size=size))
            mark_seen(connection, uid)  # only after the ticket is committed
    except (MailboxError, imaplib.IMAP4.error, OSError) as exc:
        poll.ok, poll.error = False, str(exc) if isinstance(exc, MailboxError) else _plain(exc)
    finally:
        if connection is not None:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                connection.logout()
    _record(mailbox, poll)
    return poll


def _record(mailbox: Mailbox, poll: Poll) -> None:
    now = timezone.now()
    failures = 0 if poll.ok else mailbox.failures + 1
    # Back-off: 1, 2, 4 ... minutes after failures in a row, at most MAX_BACKOFF.
    wait = min(timedelta(minutes=2 ** (failures - 1)), MAX_BACKOFF) if failures else timedelta(0)
    Mailbox.objects.filter(pk=mailbox.pk).update(
        last_poll_at=now,
        last_poll_ok=poll.ok,
        last_poll_result=poll.summary()[:300],
        failures=failures,
        next_poll_at=now + wait if failures else None,
        polling_until=None,
    )
    if not poll.ok:
        logger.warning("mailbox %s: poll failed (%s in a row): %s", mailbox.address, failures, poll.error)


def mailboxes_poll() -> list[Poll]:
    """Beat's task: each enabled mailbox with a server whose back-off has passed, claimed with a lease
    (one conditional UPDATE) so two beats or an overlapping poll never work the same mailbox at once."""
    now = timezone.now()
    due = (
        Mailbox.objects.filter(enabled=True)
        .exclude(host="")
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        .filter(Q(polling_until__isnull=True) | Q(polling_until__lt=now))
    )
    polls = []
    for pk in list(due.order_by("pk").values_list("pk", flat=True)):
        with transaction.atomic():
            claimed = (
                Mailbox.objects.filter(pk=pk)
                .filter(Q(polling_until__isnull=True) | Q(polling_until__lt=now))
                .update(polling_until=now + POLL_LEASE)
            )
        if claimed:
            polls.append(mailbox_poll(Mailbox.objects.get(pk=pk)))
    return polls
