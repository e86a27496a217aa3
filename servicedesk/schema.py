"""The OpenAPI schema tells the truth about the error answers (a postprocessing hook of drf-spectacular).

drf-spectacular documents the success answer of each operation; the errors every endpoint really gives
come from the project's one exception handler (common/api_errors.py) and DRF itself, the same for
all of them, so they are added here in one place rather than on each view:

- 400 (`ValidationError`): a request body (parse error, a field refused, a rule broken in a service), a
  query parameter it cannot use (a filter's bad value, a NUL in search or ordering), a header it cannot read
  (If-Match), or a DELETE a rule refuses (a service is retired, not deleted);
- 403 (`ErrorDetail`): not signed in, a bad token, or a role that may not do this. Never 401: the first
  authentication class is the session's, which sends no WWW-Authenticate challenge, so DRF answers 403;
- 404 (`ErrorDetail`): an id in the path that the caller may not see or that does not exist (a ticket
  outside the caller's scope is a 404, never a 403), or a `page` past the end;
- 409 (`Conflict`): a DELETE of a row others still point at (ProtectedError / RestrictedError), and the
  ticket changes made from a stale `version` (TicketConflict; those views say so themselves);
- 415 (`ErrorDetail`): a request body in a media type the operation does not read (or none);
- 428 (`ErrorDetail`): a ticket change that names no version (neither `version` nor If-Match; those
  views say so themselves).

An answer a view documents itself (with its own description) keeps its description; only a missing body
schema is filled in. Operations whose view needs no permission (POST /api/auth/token/) get optional
security (`{}`): they answer without credentials, by design.

Request bodies that refuse unknown fields are marked `additionalProperties: false` (REFUSES_UNKNOWN_FIELDS):
only the ticket PATCH does (incidents.api.requests._refuse_fields: a 400 naming the field); every other body
ignores fields it does not know, as DRF serializers do, so saying otherwise would be untrue.
"""

from __future__ import annotations

from typing import Any

ERROR_SCHEMAS: dict[str, dict[str, Any]] = {
    "ErrorDetail": {
        "type": "object",
        "description": "Why the request was refused, in plain words; a refusal of named fields adds each "
        "field with its messages.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "ValidationError": {
        "description": "The fields refused, each with its messages in plain words (`detail` or "
        "`non_field_errors` for the request as a whole; nested objects for nested fields). A refusal "
        "of the request as a whole may also be a list of messages.",
        "oneOf": [
            {"type": "object", "additionalProperties": {}},
            {"type": "array", "items": {"type": "string"}},
        ],
    },
    "Conflict": {
        "type": "object",
        "description": "Someone else changed this, or others still use it; nothing was saved. A ticket's "
        "conflict carries its current `version` (and an ETag) so the client can reload and retry.",
        "properties": {
            "detail": {"type": "string"},
            "version": {"type": "integer", "description": "The ticket's current version."},
        },
        "required": ["detail"],
    },
}

DESCRIPTIONS = {
    "400": "A rule refused the request; the messages name the fields. Nothing was saved.",
    "403": "Not signed in, an invalid token, or your role may not do this.",
    "404": "Not found, or not one you may see (or a page past the end).",
    "409": "Still in use by other records, or changed by someone else meanwhile; nothing was saved.",
    "415": "The body's media type is not one this operation reads.",
    "428": "The change named no version (`version` or If-Match); nothing was saved.",
}
# 413 (a file over the limit) is documented by its view; its body names `files`, like a 400's. 429 (a
# locked sign-in, POST /api/auth/token/) is documented by its view too; its body is a `detail`.
BODIES = {
    "400": "ValidationError",
    "403": "ErrorDetail",
    "404": "ErrorDetail",
    "409": "Conflict",
    "413": "ValidationError",
    "415": "ErrorDetail",
    "428": "ErrorDetail",
    "429": "ErrorDetail",
}

# (method, path) of the operations whose request body refuses fields it does not know.
REFUSES_UNKNOWN_FIELDS = {("patch", "/api/tickets/{id}/")}

# Query parameters that refuse with a 404, not a 400: `page` past the end, an unknown `format`. Every
# other one may be a 400 (a filter's value it cannot use; a NUL character in search or ordering).
NOT_FILTERS = {"page", "format"}


def document_error_responses(result: dict, generator, request, public) -> dict:
    """POSTPROCESSING_HOOKS entry: error answers, optional auth and closed request bodies."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in ERROR_SCHEMAS.items():
        schemas.setdefault(name, schema)
    open_views = _views_without_permissions(generator)

    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            parameters = operation.get("parameters", [])
            where = {p["in"] for p in parameters}
            filters = {p["name"] for p in parameters if p["in"] == "query"} - NOT_FILTERS
            paged = any(p["in"] == "query" and p["name"] == "page" for p in parameters)

            codes = set()
            if "requestBody" in operation or filters or "header" in where or method == "delete":
                codes.add("400")
            if (method, path) in open_views:
                operation["security"] = [*operation.get("security", []), {}]
            else:
                codes.add("403")
            if "path" in where or paged:
                codes.add("404")
            if method == "delete":
                codes.add("409")
            if "requestBody" in operation:
                codes.add("415")
            responses = operation.setdefault("responses", {})
            for code in sorted(codes | (set(responses) & set(BODIES))):
                answer = responses.setdefault(code, {"description": DESCRIPTIONS.get(code, "")})
                answer.setdefault(
                    "content",
                    {"application/json": {"schema": {"$ref": f"#/components/schemas/{BODIES[code]}"}}},
                )

            if (method, path) in REFUSES_UNKNOWN_FIELDS:
                for media in operation.get("requestBody", {}).get("content", {}).values():
                    _close(media.get("schema", {}), schemas)
    return result


def _close(schema: dict, schemas: dict) -> None:
    ref = schema.get("$ref")
    if ref:
        schema = schemas[ref.rsplit("/", 1)[-1]]
    if schema.get("type") == "object":
        schema["additionalProperties"] = False


def _views_without_permissions(generator) -> set[tuple[str, str]]:
    """(method, path) of views that let anyone in (no permission classes), such as the token endpoint."""
    found = set()
    for path, _regex, method, callback in generator.endpoints or []:
        view_class = getattr(callback, "cls", None)
        if view_class is not None and not tuple(getattr(view_class, "permission_classes", ()) or ()):
            found.add((method.lower(), path))
    return found
