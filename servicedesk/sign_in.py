"""Where a sign-in comes from: the address that failed sign-ins are counted against (django-axes)."""

from __future__ import annotations

from django.conf import settings


def client_ip(request) -> str:
    """REMOTE_ADDR; behind TRUSTED_PROXY_COUNT reverse proxies, the address the outermost proxy received
    the request from. Each proxy appends the address it saw to X-Forwarded-For, so the client's own is
    that many entries from the right; anything further left was written by the client and is not trusted."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    return forwarded[-count] if len(forwarded) >= count else remote
