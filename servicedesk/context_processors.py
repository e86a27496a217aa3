from django.conf import settings

from . import navigation, roles


def navigation_context(request) -> dict:
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "organisation_name": settings.ORGANISATION_NAME,
        "service_desk_name": settings.SERVICE_DESK_NAME,
        "role": roles.role_of(user) if signed_in else None,
        "nav_places": navigation.places_for(user) if signed_in else [],
    }
