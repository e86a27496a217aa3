"""Where a sign-in comes from (the address failed sign-ins are counted against) and when an address is
refused (django-axes)."""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


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


class SignInHandler(AxesDatabaseHandler):
    """django-axes' database handler with a second limit: AXES_ADDRESS_FAILURE_LIMIT failed sign-ins from
    one address within the cool-off, whatever the usernames, refuse every sign-in from that address (one
    password tried on every account, "password spraying", met no limit: each username failed once).

    One rule for every way in: the sign-in page, Django admin's and the API token endpoint all sign in
    through django.contrib.auth.authenticate, where axes' backend asks this handler first."""

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        """Asked by axes' backend before each sign-in: a locked username or address is refused."""
        return super().is_locked(request, credentials) or self.address_locked(request)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs) -> None:
        """After each failure is recorded: flag the request when the address has now reached its limit, as
        axes does for the username's, so that this answer is already the locked one (429)."""
        super().user_login_failed(sender, credentials, request, **kwargs)
        if (
            request is not None
            and not getattr(request, "axes_locked_out", False)
            and self.address_locked(request)
        ):
            request.axes_locked_out = True
            request.axes_credentials = credentials

    def address_locked(self, request) -> bool:
        return self.address_failures(request) >= settings.AXES_ADDRESS_FAILURE_LIMIT

    @staticmethod
    def address_failures(request) -> int:
        since = timezone.now() - get_cool_off(request)
        found = AccessAttempt.objects.filter(
            ip_address=get_client_ip_address(request), attempt_time__gte=since
        ).aggregate(failures=Sum("failures_since_start"))
        return found["failures"] or 0
