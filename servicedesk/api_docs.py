"""The API's documentation page (Redoc), served from the app's own static files.

Its bundle is third-party JavaScript that would fetch from the internet by itself (Redoc draws its
maker's logo from a CDN): the page's Content-Security-Policy is the site's (common.content_security:
this server only, no inline script, no eval) with what Redoc needs added, web workers from blobs,
the styles it writes into the page, images as data: URIs. Its start-up script is a static file
(static/js/redoc-init.js), not an inline one.
"""

from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularRedocView

from common.content_security import HEADER, policy

REDOC_DIRECTIVES = {
    "script-src": ["'self'", "blob:"],
    "worker-src": ["'self'", "blob:"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
}


def redoc_policy(view):
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response[HEADER] = policy(REDOC_DIRECTIVES)
        return response

    return wrapper


@method_decorator(redoc_policy, name="dispatch")
class RedocView(SpectacularRedocView):
    pass
