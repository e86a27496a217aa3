"""One DRF exception handler: a rule broken in a service function is an answer in plain words, never a 500.

- Django's ValidationError (a broken rule) -> 400 with the same messages the pages show, by field;
- Django's PermissionDenied (the role may not do this) -> 403 with its message (DRF maps it, keeping it);
- common.conflicts.StaleCopy (the change was made from a stale copy, e.g. incidents' TicketConflict)
  -> 409 with the message and the row's current version, so the client can reload and try again;
- Django's ProtectedError / RestrictedError (a row others still point at, e.g. a category with services)
  -> 409 saying what still uses it, instead of a 500;
- Django's RequestDataTooBig (a form body over DATA_UPLOAD_MAX_MEMORY_SIZE) -> 413, its other refusals of
  a request (TooManyFieldsSent, any SuspiciousOperation) -> 400, and a database that cannot be reached
  (OperationalError, InterfaceError) -> 503 with Retry-After: JSON, never Django's HTML page (issue 16;
  what is raised outside a DRF view is answered by servicedesk.views' error handlers, JSON under /api/);
- PreconditionRequired (raised by a view: a change that must say which version it was made from did not)
  -> 428, as RFC 6585 intends, so no change silently overwrites another.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .conflicts import StaleCopy
from .json_bodies import BodyTooLarge

logger = logging.getLogger(__name__)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Someone else changed this a moment ago; nothing was saved."
    default_code = "conflict"


class DatabaseUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The service desk's database cannot be reached; try again in a minute."
    default_code = "database_unavailable"


class PreconditionRequired(exceptions.APIException):
    """A change that must be conditional was not: it named no version (RFC 6585, 428). Nothing was saved."""

    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = (
        "Say which version this change was made from (`version` in the body or an If-Match header); "
        "nothing was saved."
    )
    default_code = "precondition_required"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, ProtectedError | RestrictedError):
        users = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        kinds = sorted({str(obj._meta.verbose_name_plural) for obj in users})
        exc = Conflict(f"Still in use by {', '.join(kinds) or 'other records'}; nothing was deleted.")
    elif isinstance(exc, RequestDataTooBig):
        exc = BodyTooLarge()
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError("The request could not be read.")
    elif isinstance(exc, OperationalError | InterfaceError):
        logger.warning("Database unavailable during an API request: %s", exc, exc_info=exc)
        response = drf_exception_handler(DatabaseUnavailable(), context)
        if response is not None:
            response["Retry-After"] = "60"
        return response
    elif isinstance(exc, StaleCopy):
        response = drf_exception_handler(Conflict(str(exc)), context)
        if response is not None:  # always: DRF answers every APIException, Conflict included
            response.data["version"] = exc.version
            response["ETag"] = f'"{exc.version}"'
        return response
    return drf_exception_handler(exc, context)
