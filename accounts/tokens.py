"""API tokens (django-rest-knox): issued by POST /api/auth/token/, stored only as SHA-512 digests, valid
for REST_KNOX["TOKEN_TTL"] (API_TOKEN_HOURS), and revoked all at once by a password change, a
deactivation or "sign out of all devices" (docs/decisions/0014-api-tokens-knox.md).

Revocation lives here and nowhere else: `credentials_revoke` is what every path calls, and the receiver at
the bottom calls it whenever a password is set (the change page, the reset link, Django admin,
`manage.py changepassword`, any `set_password` + `save`) or an account is saved inactive.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication
from knox.models import AuthToken
from rest_framework import exceptions


class ApiTokenAuthentication(TokenAuthentication):
    """knox's token check, with an unreadable header refused (knox decodes it as UTF-8 unguarded: a 500)."""

    def authenticate_credentials(self, token: bytes) -> tuple[Any, AuthToken]:
        try:
            token.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from exc
        return super().authenticate_credentials(token)


@transaction.atomic
def api_token_issue(*, user: Any) -> tuple[str, datetime | None]:
    """A new API token for `user`: the token itself (shown once, never stored) and when it expires."""
    instance, token = AuthToken.objects.create(user=user)
    return token, instance.expiry


def api_token_revoke(*, token: AuthToken) -> None:
    """Sign one API token out (the one a client calls with)."""
    AuthToken.objects.filter(pk=token.pk).delete()


def api_tokens_revoke(*, user: Any) -> int:
    """Every API token of `user`, expired or not, deleted; returns how many."""
    count, _ = AuthToken.objects.filter(user=user).delete()
    return count


def sessions_end(*, user: Any) -> int:
    """End every page session of `user` (database sessions: SESSION_ENGINE is Django's default); returns
    how many. Sessions do not record their user in a column, so each live one is read: a few thousand at
    the municipality's size, once per "sign out of all devices"."""
    ended = []
    user_id = str(user.pk)
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == user_id:
            ended.append(session.pk)
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


@transaction.atomic
def credentials_revoke(*, user: Any) -> None:
    """Sign `user` out of all devices: every API token and every page session ends."""
    api_tokens_revoke(user=user)
    sessions_end(user=user)


@receiver(
    post_save, sender=get_user_model(), dispatch_uid="accounts.tokens.revoke_on_password_or_deactivation"
)
def _revoke_on_password_or_deactivation(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    # AbstractBaseUser.set_password keeps the new raw password in `_password` until save() has written it
    # (and told the password validators); post_save runs inside that save, so a set password is seen here
    # whichever form, view or command set it. Page sessions need nothing: Django ends the other sessions
    # itself (the session hash follows the password; an inactive user's session is refused).
    if created:
        return
    if getattr(instance, "_password", None) is not None or not instance.is_active:
        api_tokens_revoke(user=instance)
