"""What a request to the ticket API may send: fields refused by name (403 for the desk's fields, 400 for
fields nobody sets), the JSON body, the version a change was made from (body or If-Match; required: 428
without it, so that no change silently overwrites another one made meanwhile)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions

from common.api_errors import PreconditionRequired

from .. import services
from ..permissions import is_support
from .serializers import (
    PayloadTooLarge,
    TicketSerializer,
)

SUPPORT_FIELDS = services.PATCH_FIELDS
READ_ONLY_REASONS = {
    "priority": "The priority comes from impact and urgency (the priority matrix); change those instead.",
    "priority_reason": "The priority's reason is written by the priority rule.",
    "requester": "The requester is set when the ticket is logged and never changes.",
    "channel": "The channel is set when the ticket is logged and never changes.",
    "kind": "The kind is set when the ticket is logged; log a new ticket instead.",
    "summary": "The summary cannot be changed after logging; add a reply instead.",
    "description": "The description cannot be changed after logging; add a reply instead.",
    "request_answers": "A request's answers cannot be changed after logging; add a reply instead.",
    "response_due_at": "Due times are set by the SLA, not by hand.",
    "resolution_due_at": "Due times are set by the SLA, not by hand.",
    "parent": "Link tickets to a major incident from the major incident.",
    "rating": "Rate a ticket with POST .../rating/.",
}
REQUESTER_STATUS_HINT = (
    "Only the ICT service desk changes this. To confirm a resolution, reopen or withdraw your ticket, "
    "use POST /api/tickets/{id}/transition/."
)


def _refuse_fields(data, user) -> None:
    """403 for service-desk fields sent by someone else; 400 for fields nobody sets here. Nothing changes."""
    keys = set(data)
    if not is_support(user):
        forbidden = sorted(keys & SUPPORT_FIELDS)
        if forbidden:
            raise exceptions.PermissionDenied(
                {
                    "detail": f"You may not change: {', '.join(forbidden)}. Nothing was saved.",
                    **{name: [REQUESTER_STATUS_HINT] for name in forbidden},
                }
            )
    writable = SUPPORT_FIELDS | {"version"}
    refused = sorted(keys - writable)
    if refused:
        raise exceptions.ValidationError(
            {
                name: [
                    READ_ONLY_REASONS.get(name)
                    or (
                        f"{name} is read-only."
                        if name in TicketSerializer.Meta.fields
                        else f"{name} is not a ticket field."
                    )
                ]
                for name in refused
            }
        )


def _body(request) -> dict:
    if not hasattr(request.data, "keys"):
        raise exceptions.ValidationError({"detail": ["Send a JSON object."]})
    return request.data


def _if_match_version(request) -> int | None:
    header = (request.headers.get("If-Match") or "").strip()
    # "*" ("whatever it is now") names no version: it would overwrite blindly, so it counts as none.
    if not header or header == "*":
        return None
    value = header.removeprefix("W/").strip('"')
    if not value.isdigit():
        raise exceptions.ValidationError(
            {"If-Match": ['Send the ticket\'s version as the If-Match header, e.g. "3".']}
        )
    return int(value)


def _expected_version(request, body_version: int | None) -> int:
    """The version the change was made from: `version` in the body or the If-Match header (they must
    agree). Neither is a 428 (PreconditionRequired): a change must say what it changes, as the pages do."""
    header_version = _if_match_version(request)
    if body_version is not None and header_version is not None and body_version != header_version:
        raise exceptions.ValidationError({"version": ["The version and the If-Match header disagree."]})
    expected = body_version if body_version is not None else header_version
    if expected is None:
        raise PreconditionRequired()
    return expected


def _file_errors(invalid: DjangoValidationError) -> exceptions.APIException:
    """An attachment check's refusal as a 400 naming `files`; a file over the size limit is a 413."""
    if hasattr(invalid, "error_dict"):
        return exceptions.ValidationError(invalid.message_dict)
    codes = {getattr(error, "code", None) for error in invalid.error_list}
    if "too_large" in codes:
        return PayloadTooLarge({"files": invalid.messages})
    return exceptions.ValidationError({"files": invalid.messages})
