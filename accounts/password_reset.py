"""Password-reset mail, throttled and through the outbox.

Issue 16: an anonymous client had three reset mails sent to one person in under a second. Now a request
is counted per address asked for and per client address (PASSWORD_RESET_PER_ADDRESS and
PASSWORD_RESET_PER_CLIENT within PASSWORD_RESET_WINDOW); one over either limit sends nothing. Every
request is counted and answered alike, whether the address belongs to an account or not, so neither the
answer nor the limit tells which addresses exist. The mail goes through the outbox (common.outbox), after
commit: no mail server is waited on inside the request, whose time would otherwise tell the same.
"""

from __future__ import annotations

import hashlib
from typing import Any

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.db import connection, transaction
from django.http import HttpRequest
from django.template import loader
from django.utils import timezone

from common.outbox import notification_send

from .models import PasswordResetRequest

# The advisory lock's key: any constant no other code of ours takes ("PWRESET" in ASCII, as a bigint).
RESET_LOCK = 0x50575245534554


def _digest(email: str) -> str:
    return hashlib.sha256(email.strip().casefold().encode()).hexdigest()


def _client_address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    address = get_client_ip_address(request)  # AXES_CLIENT_IP_CALLABLE: the sign-in's one rule
    try:
        validate_ipv46_address(address)
    except ValidationError:
        return None
    return address


@transaction.atomic
def password_reset_allowed(*, email: str, request: HttpRequest | None) -> bool:
    """Count this request; True if it is within both limits, so a mail may go out."""
    if connection.vendor == "postgresql":
        # One reset request counted at a time, so simultaneous requests cannot all see room under the
        # limit (they are rare; SQLite's transactions take the write lock when they begin anyway).
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RESET_LOCK])
    now = timezone.now()
    since = now - settings.PASSWORD_RESET_WINDOW
    PasswordResetRequest.objects.filter(requested_at__lt=since).delete()
    digest, client = _digest(email), _client_address(request)
    recent = PasswordResetRequest.objects.filter(requested_at__gte=since)
    for_address = recent.filter(address_digest=digest, allowed=True).count()
    from_client = recent.filter(client_address=client).count() if client else 0
    allowed = (
        for_address < settings.PASSWORD_RESET_PER_ADDRESS and from_client < settings.PASSWORD_RESET_PER_CLIENT
    )
    PasswordResetRequest.objects.create(
        requested_at=now, client_address=client, address_digest=digest, allowed=allowed
    )
    return allowed


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, throttled, mailing through the outbox."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        # PasswordResetView.form_valid passes the request by keyword.
        if password_reset_allowed(email=self.cleaned_data["email"], request=kwargs.get("request")):
            super().save(*args, **kwargs)

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        user = context["user"]
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body_html = ""
        if html_email_template_name is not None:
            body_html = loader.render_to_string(html_email_template_name, context)
        notification_send(
            # One mail per allowed request (the token holds the time to the second; so does the key).
            key=f"password-reset:{user.pk}:{timezone.now():%Y%m%d%H%M%S}:{context['token']}",
            to_address=to_email,
            subject=subject,
            body_text=loader.render_to_string(email_template_name, context),
            body_html=body_html,
            recipient=user,
        )


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
