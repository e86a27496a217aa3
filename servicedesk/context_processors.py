from django.conf import settings

from common import access

from . import navigation


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
    }
