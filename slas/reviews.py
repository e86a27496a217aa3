"""Service level agreement reviews: the ICT manager is reminded once, 30 days before an agreement's review
date (the framework's "review service agreements and contracts").

Once per review date, whatever happens: the reminder is claimed by writing the review date into
`ServiceLevelAgreement.review_reminded_for` on a row locked with SELECT ... FOR UPDATE SKIP LOCKED, and in
the same transaction each manager's mail is written to the outbox (common.outbox, one idempotency key per
agreement, review date and manager). A second worker running at the same moment skips the locked row
and, once the first commits, no longer finds it due. The outbox sends the mails after commit and retries
them while the mail server is down, so nothing here talks to the mail server: a rolled-back claim mails
nothing, a committed one is mailed once. A new review date (set after the review) makes the agreement due
again 30 days before it.
"""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from common import access
from common.addresses import absolute_url
from common.outbox import notification_send

from .models import ServiceLevelAgreement

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

REMIND_DAYS_BEFORE = 30


def agreements_due_for_review(*, today: date) -> QuerySet[ServiceLevelAgreement]:
    """Agreements whose review date is REMIND_DAYS_BEFORE days away or less (or past) and whose manager has
    not been reminded of that date yet."""
    return ServiceLevelAgreement.objects.filter(
        review_date__lte=today + timedelta(days=REMIND_DAYS_BEFORE)
    ).filter(Q(review_reminded_for__isnull=True) | ~Q(review_reminded_for=F("review_date")))


def review_reminder_recipients() -> list[User]:
    """The active ICT managers with an e-mail address."""
    return list(
        get_user_model()
        .objects.filter(groups__name=access.MANAGER, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .distinct()
    )


def sla_reviews_remind(*, today: date | None = None) -> int:
    """Send each due agreement's review reminder to the ICT managers, once per review date; returns how
    many agreements were reminded. Safe to run twice, late, or from two workers at once."""
    today = today or timezone.localdate()
    recipients = review_reminder_recipients()
    if not recipients:
        if agreements_due_for_review(today=today).exists():
            logger.warning("SLA review reminders are due but no active ICT manager has an e-mail address")
        return 0  # left unmarked: the first run after a manager is added sends them
    reminded = 0
    for sla_id in agreements_due_for_review(today=today).order_by("pk").values_list("pk", flat=True):
        reminded += _remind(sla_id, today, recipients)
    return reminded


@transaction.atomic
def _remind(sla_id: int, today: date, recipients: list[User]) -> int:
    """Claim one agreement's reminder and put its mails in the outbox, in one transaction: 1 if ours."""
    sla = (
        agreements_due_for_review(today=today)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("calendar")
        .filter(pk=sla_id)
        .first()
    )
    if sla is None:
        return 0  # another worker holds it, or has just reminded
    # .update(), not save(): a marker is not an agreement change, so no open tickets are recalculated
    # (post_save would announce one) and no history row is written.
    ServiceLevelAgreement.objects.filter(pk=sla.pk).update(review_reminded_for=sla.review_date)
    subject, body = _subject(sla, today), _body(sla, today)
    for manager in recipients:
        notification_send(
            key=f"sla-review:{sla.pk}:{sla.review_date:%Y-%m-%d}:to:{manager.pk}",
            to_address=manager.email,
            subject=subject,
            body_text=body,
            recipient=manager,
            about=sla,
        )
    return 1


def _subject(sla: ServiceLevelAgreement, today: date) -> str:
    when = _day(sla.review_date)
    # A subject is one header line: a line break in the name would make Django refuse the mail every day.
    name = " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", sla.name).split())
    if sla.review_date < today:
        return f"SLA review overdue: “{name}” was due for review on {when}"
    return f"SLA review due: “{name}” is due for review on {when}"


def _body(sla: ServiceLevelAgreement, today: date) -> str:
    days = (sla.review_date - today).days
    if days > 0:
        when = f"in {days} day{'s' if days != 1 else ''}, on {_day(sla.review_date)}"
    elif days == 0:
        when = "today"
    else:
        when = f"{-days} day{'s' if days != -1 else ''} ago, on {_day(sla.review_date)}"
    covers = (
        "every service not covered by another agreement"
        if sla.is_default
        else ", ".join(sla.service_links.order_by("service__name").values_list("service__name", flat=True))
        or "no services yet"
    )
    link = absolute_url(reverse("admin:slas_servicelevelagreement_change", args=[sla.pk]))
    return (
        f"The service level agreement “{sla.name}” is due for review {when}.\n\n"
        f"It covers: {covers}.\n"
        f"Its calendar: {sla.calendar.name}.\n\n"
        "Review its response and resolution targets with the service owners and the ICT Steering "
        "Committee, then set the next review date:\n"
        f"{link}\n\n"
        "You are reminded once for each review date.\n"
    )


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"
