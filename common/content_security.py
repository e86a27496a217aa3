"""The Content-Security-Policy of every answer: scripts, styles, images and fonts from this server only, no
inline script or event handler, no eval, no framing, no plugin, forms posted only here (docs/decisions/
0016-content-security-policy.md).

Escaping in templates is the first lock against script planted in a ticket's text; the policy is the
second: were a template ever to print such text raw, the browser would still refuse to run it. The
policy is the setting SECURE_CSP, shaped as Django 6.0's setting of that name (directive -> sources) so
the upgrade can hand it to Django's own middleware. A view that needs another policy (a download's
sandbox, the API documentation's web workers) sets its own header, which this middleware leaves alone;
`policy()` builds one from the site's with some directives replaced.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

HEADER = "Content-Security-Policy"


def policy(overrides: Mapping[str, Sequence[str]] | None = None) -> str:
    """The header's value: settings.SECURE_CSP, each directive in `overrides` replacing the site's."""
    directives = {**settings.SECURE_CSP, **(overrides or {})}
    return "; ".join(" ".join([name, *sources]) for name, sources in directives.items())


class ContentSecurityPolicyMiddleware:
    """Adds the site's policy to every answer that has none of its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response
        self.header = policy()

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = self.header
        return response
