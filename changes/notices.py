"""What staff are told of a change that will interrupt a service at their site: a mail a configurable
number of working days before (settings.CHANGE_NOTICE_WORKING_DAYS, counted on the service desk's
calendar, slas.calendars), and a banner on every page while it runs (`interruption_banners`, registered
with the page frame's banners, common/banners.py, by ChangesConfig.ready)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from common.addresses import absolute_url
from common.banners import Banner
from common.models import Notification
from common.outbox import notifications_send
from slas.calendars import nth_working_day

from .models import Change, ChangeEvent, ChangeStatus
from .selectors import interrupting_now

NOTICE_STATUSES = (ChangeStatus.APPROVED, ChangeStatus.SCHEDULED)


def notice_horizon(today: date) -> datetime:
    """Changes starting before this instant are told of today: the end of the N-th working day ahead."""
    days = int(getattr(settings, "CHANGE_NOTICE_WORKING_DAYS", 2))
    last = nth_working_day(today, days) if days > 0 else today
    return datetime.combine(last + timedelta(days=1), datetime.min.time(), timezone.get_current_timezone())


def _mail(change: Change, person) -> Notification:
    start, end = timezone.localtime(change.planned_start), timezone.localtime(change.planned_end)
    sites = ", ".join(site.name for site in change.sites.all())
    services = ", ".join(service.name for service in change.services.all()) or "ICT services"
    body = (
        f"Dear {person.get_full_name() or person.username},\n\n"
        f"The ICT Unit will carry out planned work at {sites}:\n\n"
        f"  {change.summary} ({change.reference})\n"
        f"  From {start:%A %-d %B %Y, %H:%M} to {end:%A %-d %B %Y, %H:%M}\n"
        f"  Affected: {services}\n\n"
        "These services may be unavailable during that time. Please save your work beforehand.\n"
        f"The change calendar: {absolute_url(reverse('changes:calendar'))}\n\n"
        "ICT Service Desk"
    )
    return Notification(
        # Once per person and planned start: a change moved to another day is told again.
        key=f"change-notice:{change.pk}:{person.pk}:{start:%Y%m%d%H%M}",
        to_address=person.email,
        subject=f"Planned ICT work at your site: {change.summary} ({start:%-d %b %H:%M})",
        body_text=body,
        recipient=person,
        about=change,
    )


@transaction.atomic
def interruption_notices_send(*, now: datetime | None = None) -> int:
    """Mail the people of the affected sites of each approved change that will interrupt a service and
    starts within the notice period (safe to run again: one mail per key). Returns the mails queued."""
    now = now or timezone.now()
    changes = (
        Change.objects.filter(
            interrupts_service=True,
            status__in=NOTICE_STATUSES,
            planned_start__gt=now,
            planned_start__lt=notice_horizon(timezone.localtime(now).date()),
        )
        .prefetch_related("sites", "services")
        .order_by("planned_start", "pk")
    )
    people = get_user_model().objects.filter(is_active=True).exclude(email="")
    sent = 0
    for change in changes:
        site_ids = [site.pk for site in change.sites.all()]
        mails = [_mail(change, person) for person in people.filter(site__in=site_ids).order_by("pk")]
        fresh = notifications_send(mails)
        if fresh:
            ChangeEvent.objects.create(
                change=change,
                kind=ChangeEvent.Kind.NOTICE,
                at=now,
                new_value=f"{fresh} people",
                note="Staff at the affected sites were mailed of the interruption.",
            )
        sent += fresh
    return sent


def interruption_banners(user) -> list[Banner]:
    """The page frame's banners: approved changes interrupting a service at the person's site right now
    (one query; none for a person without a site)."""
    site_id = getattr(user, "site_id", None)
    if site_id is None:
        return []
    return [
        Banner(
            f"Planned ICT work at your site until {timezone.localtime(change.planned_end):%H:%M on %-d %B}: "
            f"{change.summary}. Some services may be unavailable."
        )
        for change in interrupting_now(site_id)
    ]
