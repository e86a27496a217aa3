"""The API's documentation page (Redoc), served from the app's own static files.

Their bundles are third-party JavaScript that would fetch from the internet by themselves (Redoc draws
its maker's logo from a CDN): each page's Content-Security-Policy lets the browser load from this server
only, so nothing leaves the machine whatever a future bundle adds.
"""

from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularRedocView

# The bundles run inline set-up code and Redoc starts web workers from blobs; images may be data: URIs.
SAME_ORIGIN_ONLY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' blob:; worker-src 'self' blob:; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


def same_origin_only(view):
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Content-Security-Policy"] = SAME_ORIGIN_ONLY
        return response

    return wrapper


@method_decorator(same_origin_only, name="dispatch")
class RedocView(SpectacularRedocView):
    pass
