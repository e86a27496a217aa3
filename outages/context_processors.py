from django.utils import timezone
from django.utils.formats import date_format

from .banner import BannerOutage, outages_for_site


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


def outage_banner(request) -> dict:
    """`portal_notices` (common/templates/base.html shows them): the open and coming outages at the
    signed-in person's site. A callable, so pages that do not show it do not ask."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated and getattr(user, "site_id", None)):
        return {}
    return {"portal_notices": lambda: [notice_text(o) for o in outages_for_site(user.site_id)]}
