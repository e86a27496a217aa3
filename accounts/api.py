"""API sign-in and sign-out: POST /api/auth/token/ (username and password -> a token and its expiry),
POST /api/auth/sign-out/ (the token or session the call came with) and
POST /api/auth/sign-out-everywhere/ (every token and page session of the caller)."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.signals import user_logged_in
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.models import AuthToken
from rest_framework import exceptions, serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .tokens import api_token_issue, api_token_revoke, credentials_revoke

USERNAME_MAX = get_user_model()._meta.get_field("username").max_length

LOCKED = (
    "Too many failed sign-ins from this address. Try again later, or ask the ICT service desk to unlock "
    "the account."
)


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The schema's name for the token (`tokenAuth`, as under DRF's token before): `Token <token>`."""

    target_class = "accounts.tokens.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        # The header's keyword, not a secret.
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")  # noqa: S106


class TokenRequestSerializer(AuthTokenSerializer):
    """A username longer than any account can have is bad input, refused before a sign-in is tried: the
    failed attempt's record (django-axes, 255 characters) could not hold it and the answer was a 500."""

    # DRF takes max_length=None (no limit); the stubs say int
    username = serializers.CharField(label="Username", write_only=True, max_length=USERNAME_MAX)  # type: ignore[arg-type]
    token = None  # type: ignore[assignment]  # the answer is TokenSerializer's


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text="Send as `Authorization: Token <token>`; shown once, stored hashed."
    )
    expiry = serializers.DateTimeField(
        help_text="When the token stops working (API_TOKEN_HOURS after issue); ask for a new one then."
    )


class Locked(exceptions.Throttled):
    default_detail = LOCKED


class TokenView(APIView):
    """Sign in with username and password; the same lock-out as the sign-in page (429 when locked)."""

    authentication_classes = ()
    permission_classes = ()
    serializer_class = TokenRequestSerializer

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            429: OpenApiResponse(
                description="Too many failed sign-ins for this username or from this address; "
                "`Retry-After` says when to try again.",
            ),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = self.serializer_class(data=request.data, context={"request": request})
        if not serializer.is_valid():
            # django-axes flags the request when its backend refused a locked sign-in; DRF's Request
            # keeps the flag, so the middleware never sees it and the answer was a 400 (issue 16).
            if getattr(request, "axes_locked_out", False):
                raise Locked(wait=math.ceil(settings.AXES_COOLOFF_TIME.total_seconds()))
            raise exceptions.ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        token, expiry = api_token_issue(user=user)
        # A sign-in like the page's: last_login, axes' success record and its count cleared.
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        # As OAuth 2.0 asks of a token answer (RFC 6749, 5.1): no cache keeps it.
        return Response(
            TokenSerializer({"token": token, "expiry": expiry}).data,
            headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
        )


class SignOutView(APIView):
    """Sign out the token this call came with (or, signed in on a page, that session)."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        if isinstance(request.auth, AuthToken):
            api_token_revoke(token=request.auth)
        else:
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SignOutEverywhereView(APIView):
    """Sign out of all devices: every API token and every page session of the caller ends, this one too."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        credentials_revoke(user=request.user)
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)
