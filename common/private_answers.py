"""Answers to a signed-in person, and every API answer, are kept by no cache, the browser's own included.

Issue 16, found twice in the second round: pages and API answers carried no Cache-Control, so on a shared
office PC, after "Sign out", the browser's Back button and history still showed the tickets, names and
notes the last person had open (the HTTP cache and the back-forward cache kept them); and API answers,
the token endpoint's bearer token among them (RFC 6749 5.1 asks no-store of any answer carrying one),
could be kept by a shared proxy at a remote site. Every answer to a signed-in request (a session, or an
API token: DRF sets the user on the request) and every /api/ answer that does not say otherwise itself
gets `Cache-Control: private, no-store`. Static files (WhiteNoise answers before this runs) and the icon
keep their long public caching; downloads already say `private, no-store`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control

NO_STORE = "private, no-store"


class PrivateAnswersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not response.has_header("Cache-Control") and (
            request.path.startswith("/api/") or _signed_in(request)
        ):
            patch_cache_control(response, private=True, no_store=True)
        return response


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(getattr(user, "is_authenticated", False)) or "HTTP_AUTHORIZATION" in request.META
