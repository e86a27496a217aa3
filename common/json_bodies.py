"""JSON request bodies: nested no deeper than MAX_DEPTH, refused with a 400 before anything recurses.

Python's json module parses arrays and objects recursively: a body of 2,000 `[`s (4 KB) raised
RecursionError, which nothing turns into an answer, so the API answered 500, even unauthenticated on
`POST /api/auth/token/` (issue 16). `DepthLimitedJSONParser` is DRF's default parser for JSON
(`REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]`); it measures the nesting by scanning the text (brackets
inside strings do not count) before json.loads sees it, and holds a JSON body to the same ceiling as a
form's (DATA_UPLOAD_MAX_MEMORY_SIZE: 413). No body of ours nests deeper than four levels;
`tests/common/test_json_bodies.py` checks that every DRF view of the URL conf that reads JSON uses it.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils import json as drf_json

MAX_DEPTH = 32


class BodyTooLarge(APIException):
    """A request body over DATA_UPLOAD_MAX_MEMORY_SIZE (413); common.api_errors answers Django's own
    RequestDataTooBig with it too."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


# A JSON string, quotes and escapes included (the "unrolled loop" form: linear, no backtracking).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


def nesting_exceeds(text: str, limit: int = MAX_DEPTH) -> bool:
    """Do the arrays and objects of this JSON text nest deeper than `limit`? Brackets inside strings do
    not count. Linear in the text, and it never recurses; an unparsable text may over-count (its parse
    fails anyway)."""
    if text.count("[") + text.count("{") <= limit:
        return False  # the common case: too few brackets to nest that deep
    depth = 0
    for bracket in _BRACKETS.findall(_STRING.sub("", text)):
        if bracket in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


class DepthLimitedJSONParser(JSONParser):
    """DRF's JSONParser that refuses (400) a body nested deeper than MAX_DEPTH before parsing it."""

    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        encoding = (parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET
        # DRF reads a JSON body straight from the stream, past Django's DATA_UPLOAD_MAX_MEMORY_SIZE
        # (which guards request.body and form fields only): the same ceiling, a 413.
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = (stream.read(limit + 1) if limit is not None else stream.read()) if stream is not None else b""
        if limit is not None and len(raw) > limit:
            raise BodyTooLarge()
        try:
            text = codecs.decode(raw, encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if nesting_exceeds(text):
            raise ParseError(f"JSON parse error - arrays and objects nest deeper than {MAX_DEPTH} levels.")
        parse_constant = drf_json.strict_constant if self.strict else None
        try:
            return json.loads(text, parse_constant=parse_constant)
        except (ValueError, RecursionError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
