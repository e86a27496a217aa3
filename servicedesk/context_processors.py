from django.conf import settings
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from common import access

from . import navigation


def _banners(user) -> list[str]:
    """Lines for the banner at the top of every page: approved changes interrupting a service at the
    person's site right now. Read only for a person with a site (no query otherwise)."""
    from changes.selectors import interrupting_now

    site_id = getattr(user, "site_id", None)
    if site_id is None:
        return []
    return [
        f"Planned ICT work at your site until {timezone.localtime(change.planned_end):%H:%M on %-d %B}: "
        f"{change.summary}. Some services may be unavailable."
        for change in interrupting_now(site_id)
    ]


def navigation_context(request) -> dict:
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "organisation_name": settings.ORGANISATION_NAME,
        "service_desk_name": settings.SERVICE_DESK_NAME,
        "role": access.role_of(user) if signed_in else None,
        "nav_places": navigation.places_for(user) if signed_in else [],
        # Pages this person may open, for links offered only to those who may follow them.
        "open_pages": access.pages_for(user) if signed_in else frozenset(),
        # Read when the page frame shows them (common/templates/base.html).
        "page_banners": SimpleLazyObject(lambda: _banners(user)) if signed_in else [],
    }
