"""The portal's banner: open outages at the signed-in person's site ("Willowvale link down since 09:10;
expected back 12:00; you do not need to log a ticket"). Read on every page, so the open outages are kept in
the process cache for BANNER_SECONDS and dropped when an outage is recorded or changed in this process."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from common.banners import Banner

from .models import SITE_SCOPES, Outage

CACHE_KEY = "outages:banner"
BANNER_SECONDS = 30
UPCOMING = timedelta(hours=24)  # load-shedding later today is worth knowing


@dataclass(frozen=True)
class BannerOutage:
    site_id: int
    reference: str
    title: str
    started_at: datetime
    expected_end_at: datetime | None
    ended_at: datetime | None
    kind: str

    @property
    def upcoming(self) -> bool:
        return self.started_at > timezone.now()


def banner_outages() -> list[BannerOutage]:
    found = cache.get(CACHE_KEY)
    if found is None:
        now = timezone.now()
        found = [
            BannerOutage(
                site_id=outage.site_id or 0,  # the query asks for a site
                reference=outage.reference,
                title=outage.title,
                started_at=outage.started_at,
                expected_end_at=outage.expected_end_at,
                ended_at=outage.ended_at,
                kind=outage.kind,
            )
            for outage in Outage.objects.filter(scope__in=SITE_SCOPES, site__isnull=False)
            .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=now))
            .filter(started_at__lt=now + UPCOMING)
            .select_related("site")
            .order_by("started_at")
        ]
        cache.set(CACHE_KEY, found, BANNER_SECONDS)
    return found


def banner_forget() -> None:
    cache.delete(CACHE_KEY)


def outages_for_site(site_id: int | None) -> list[BannerOutage]:
    if site_id is None:
        return []
    now = timezone.now()
    return [o for o in banner_outages() if o.site_id == site_id and (o.ended_at is None or o.ended_at > now)]


def _clock(instant) -> str:
    local = timezone.localtime(instant)
    today = timezone.localdate()
    return date_format(local, "H:i") if local.date() == today else date_format(local, "j M H:i")


def notice_text(outage: BannerOutage) -> str:
    if outage.upcoming:
        until = (
            f" to {_clock(outage.expected_end_at or outage.ended_at)}"
            if (outage.expected_end_at or outage.ended_at)
            else ""
        )
        return f"{outage.title} from {_clock(outage.started_at)}{until}."
    text = f"{outage.title} since {_clock(outage.started_at)}"
    if outage.expected_end_at and outage.expected_end_at > timezone.now():
        text += f"; expected back {_clock(outage.expected_end_at)}"
    return text + "; the ICT Unit knows: you do not need to log a ticket."


def site_banners(user) -> list[Banner]:
    """The page frame's banners (common.banners, registered by OutagesConfig.ready): the open and coming
    outages at the signed-in person's site; no query for a person without a site, at most one otherwise
    (the open outages are cached)."""
    site_id = getattr(user, "site_id", None)
    if site_id is None:
        return []
    return [
        Banner(notice_text(outage), "info" if outage.upcoming else "warning")
        for outage in outages_for_site(site_id)
    ]
