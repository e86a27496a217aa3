"""Absolute links to our own pages: one rule, one setting (SITE_URL).

Whatever is read away from a request (a mail, a rating link, a printed QR label, a reminder) links to the
address people reach the service desk at, `settings.SITE_URL`: never the address it happened to be built
from (a worker has none; a technician may print labels from an internal name). `make run` sets SITE_URL to
the address it serves; in production `manage.py check --deploy` insists on it (servicedesk/checks.py).

An answer to a request (the API's download and report links) points back at the address the client used,
as DRF's own paging links do, so that one answer never mixes two hosts.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site_url() -> str:
    """SITE_URL without a trailing slash ("" when unset: then links stay relative, and check --deploy says
    so)."""
    return (settings.SITE_URL or "").rstrip("/")


def absolute_url(path: str, *, request: HttpRequest | None = None) -> str:
    """`path` (from reverse() or static(), starting with "/") as an absolute URL: under the address the
    request came to when answering one, else under SITE_URL."""
    if request is not None:
        return request.build_absolute_uri(path)
    return site_url() + path
