"""The mail outbox: the one way the desk sends mail, whoever sends it (tickets, reports, SLA reviews).

`notification_send` writes the mail as a Notification row with an idempotency key, in the caller's
transaction, and queues its delivery after commit: a rolled-back change mails nothing, and sending the
same key twice mails once. `notification_deliver` (the task) and `notifications_deliver_unsent` (beat's
sweep) both deliver through `_deliver`, which

1. claims the row in a short transaction of its own: one conditional UPDATE sets `claimed_until` (a
   lease) only if the row is unsent and nobody holds a live lease. Of two senders (the task and the
   sweep, a task handed out twice) exactly one gets it: PostgreSQL locks the row and re-checks the
   condition after the other's commit; SQLite's write lock (taken when the transaction begins, see
   settings) lets one in at a time;
2. sends the mail outside any transaction (no lock is held while the mail server answers);
3. marks it sent in a second short transaction, retried when the database is busy.

Issue 14: the old task sent inside the transaction that then wrote `sent_at`; when that write failed
(SQLite under `make run` refuses a lock upgrade at once: "database is locked"), the mail had gone but the
row said unsent, and the sweep mailed it again 30-90 s later. Now a failed mark leaves the lease in
place, so the sweep leaves the row alone while the lease runs (tests/reliability/test_mail_once.py).
A worker killed between 2 and 3 sends the mail again once the lease lapses, with the same Message-ID,
which mail programs show once (at least once, never lost).
"""

from __future__ import annotations

import logging
import re
import time
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import OperationalError, transaction
from django.db.models import F, Model, Q, QuerySet
from django.utils import timezone

from .models import Notification
from .queueing import enqueue_batch_on_commit

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
# Beat's sweep leaves a mail this long to its own task, which is queued after commit and runs at once.
SWEEP_GRACE = timedelta(seconds=30)
SWEEP_BATCH = 500
# How long one sender holds a mail: longer than a send takes (EMAIL_TIMEOUT, 20 s, per network wait).
# A worker killed while sending leaves its mail to the first sweep after the lease.
CLAIM_LEASE = timedelta(minutes=2)
MARK_TRIES = 5
DEFAULT_FROM_DOMAIN = re.compile(r"@([A-Za-z0-9.-]+)")


def clean_header(value: str, limit: int = 180) -> str:
    """A value safe for a mail header: no CR/LF (header injection) or other control characters."""
    return re.sub(r"[\x00-\x1f\x7f]+", " ", str(value)).strip()[:limit]


def notification_send(
    *,
    key: str,
    to_address: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    recipient: Any = None,
    about: Model | None = None,
    thread: str = "",
) -> bool:
    """Send one mail through the outbox, once per `key`; True if it is new (queued after commit)."""
    if not to_address:
        return False
    mail = Notification(
        key=key[:200],
        to_address=to_address,
        subject=clean_header(subject),
        body_text=body_text,
        body_html=body_html,
        recipient=recipient,
        about=about,
        thread=clean_header(thread, 60),
    )
    return notifications_send([mail]) == 1


def notifications_send(notifications: list[Notification]) -> int:
    """Write the mails once each (a key already written is left alone) and deliver the new ones after
    commit; returns how many were new."""
    if not notifications:
        return 0
    from .tasks import deliver_notifications

    for notification in notifications:
        notification.key = notification.key[:200]
    keys = [notification.key for notification in notifications]
    known = set(Notification.objects.filter(key__in=keys).values_list("key", flat=True))
    fresh = {n.key: n for n in notifications if n.key not in known}
    # ignore_conflicts: a key written meanwhile by another transaction is that transaction's mail.
    Notification.objects.bulk_create(fresh.values(), ignore_conflicts=True)
    ids = list(
        Notification.objects.filter(key__in=fresh, sent_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    # One task for every mail the transaction writes: a broker that is down costs the request one try.
    enqueue_batch_on_commit(deliver_notifications, ids)
    return len(ids)


def _host() -> str:
    domain = DEFAULT_FROM_DOMAIN.search(settings.DEFAULT_FROM_EMAIL)
    return domain.group(1) if domain else "servicedesk.invalid"


def message_id(notification: Notification) -> str:
    """The same Message-ID every time this notification is sent, so a mail sent again after a lost mark
    is shown once by mail programs."""
    return f"<notification-{notification.pk}.{notification.created_at:%Y%m%d%H%M%S}@{_host()}>"


def thread_id(thread: str) -> str:
    """The root Message-ID of a conversation: every mail of the thread names it in In-Reply-To and
    References, so mail programs show one thread and a reply by mail leads back to it (mailin)."""
    return f"<thread-{re.sub(r'[^A-Za-z0-9.-]', '', thread)}@{_host()}>"


def reply_address(thread: str) -> str:
    """MAIL_REPLY_TO (the desk's mailbox), tagged with the thread (ict+INC-000123@...) when
    MAIL_REPLY_TO_TAGGED is on and the mail server delivers plus-addresses; '' when not set."""
    address = settings.MAIL_REPLY_TO
    if not address or not thread or not settings.MAIL_REPLY_TO_TAGGED or "@" not in address:
        return address
    local, domain = address.rsplit("@", 1)
    return f"{local}+{re.sub(r'[^A-Za-z0-9.-]', '', thread)}@{domain}"


def mail_headers(notification: Notification) -> dict[str, str]:
    """Every mail we send: a stable Message-ID; Auto-Submitted (RFC 3834) and the header that stops
    Exchange/Outlook auto-replies, so out-of-office answers never come back to the desk; the thread's
    In-Reply-To/References; Reply-To the desk's mailbox so answering by mail works."""
    headers = {
        "Message-ID": message_id(notification),
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
    }
    if notification.thread:
        root = thread_id(notification.thread)
        headers.update({"In-Reply-To": root, "References": root})
    reply_to = reply_address(notification.thread)
    if reply_to:
        headers["Reply-To"] = reply_to
    return headers


def _claimable(now: datetime) -> QuerySet[Notification]:
    return Notification.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def notification_deliver(*, notification_id: int) -> bool:
    """Deliver one queued mail unless it was sent already or another sender holds it; True if sent."""
    now = timezone.now()
    with transaction.atomic():
        claimed = (
            _claimable(now)
            .filter(pk=notification_id)
            .update(claimed_until=now + CLAIM_LEASE, attempts=F("attempts") + 1)
        )
    return bool(claimed) and _deliver(notification_id)


def notifications_deliver_unsent() -> int:
    """Beat's sweep: deliver mail whose task was lost (broker flushed, worker killed, SMTP down), never a
    mail younger than the grace period (its own task has it) nor one another sender holds. Each row is
    claimed on its own, so a sweep killed half-way holds one mail, not its whole batch."""
    now = timezone.now()
    ids = list(
        _claimable(now)
        .filter(created_at__lt=now - SWEEP_GRACE)
        .order_by("pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    return sum(notification_deliver(notification_id=pk) for pk in ids)


def _deliver(notification_id: int) -> bool:
    """Send a mail this process has claimed, then record the outcome."""
    notification = Notification.objects.get(pk=notification_id)
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body_text,
        to=[notification.to_address],
        headers=mail_headers(notification),
    )
    if notification.body_html:
        message.attach_alternative(notification.body_html, "text/html")
    try:
        message.send()
    except Exception as exc:  # SMTP errors of every kind: recorded, the lease given back for the sweep
        error = f"{type(exc).__name__}: {exc}"[:300]
        _mark(notification_id, claimed_until=None, last_error=error)
        logger.warning("mail %s not sent (attempt %s): %s", notification.key, notification.attempts, exc)
        return False
    _mark(notification_id, sent_at=timezone.now(), claimed_until=None, last_error="")
    return True


def _mark(notification_id: int, **fields: Any) -> None:
    """Record a delivery's outcome in a transaction of its own, retried while the database is busy; if
    it still fails, the row keeps its lease and nobody sends it again before the lease lapses."""
    for attempt in range(1, MARK_TRIES + 1):
        try:
            with transaction.atomic():
                Notification.objects.filter(pk=notification_id).update(**fields)
            return
        except OperationalError:
            if attempt == MARK_TRIES or transaction.get_connection().in_atomic_block:
                raise
            time.sleep(0.2 * attempt)
