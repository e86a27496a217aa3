"""API answers are never stored by a cache: `Cache-Control: private, no-store` on every /api/ answer that
does not set its own.

They hold tickets, names and, from POST /api/auth/token/, a bearer token (RFC 6749 5.1 asks no-store of
any answer carrying one). Without the header a shared proxy at a remote site, or the browser's disk cache
on a shared office computer, may keep them for the next person (issue 16, found in the second round).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

NO_STORE = "private, no-store"


class PrivateApiAnswersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.path.startswith("/api/") and "Cache-Control" not in response:
            response["Cache-Control"] = NO_STORE
        return response
