"""Deeply nested JSON is a 400 before anything recurses, on every API view (issue 16: 2,000 levels answered
500 with RecursionError, even unauthenticated on POST /api/auth/token/)."""

import json

import pytest
from django.urls import get_resolver
from rest_framework.parsers import JSONParser
from rest_framework.test import APIClient

from common.json_bodies import MAX_DEPTH, DepthLimitedJSONParser, nesting_exceeds
from tests.factories import TicketFactory

DEEP = "[" * 2000 + "]" * 2000
DEEP_OBJECT = '{"a":' * 2000 + "1" + "}" * 2000


def test_nesting_is_measured_without_counting_brackets_in_strings():
    assert not nesting_exceeds(json.dumps({"a": [[1, 2], {"b": "[[[[[[[[[[" * 100}]}), limit=4)
    assert not nesting_exceeds(json.dumps({"q": '\\"[[[[[[[[' * 50}), limit=2)
    assert nesting_exceeds("[" * 33 + "]" * 33, limit=32)
    assert not nesting_exceeds("[" * 32 + "]" * 32, limit=32)
    assert not nesting_exceeds(json.dumps([[i] for i in range(10_000)]), limit=2)


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["arrays", "objects"])
def test_deep_json_to_the_token_endpoint_is_a_400_not_a_500(db, body):
    response = APIClient().post("/api/auth/token/", body, content_type="application/json")

    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"] == "application/json"
    assert f"deeper than {MAX_DEPTH}" in response.json()["detail"]


def test_json_as_deep_as_the_limit_still_parses(db):
    body = {
        "username": "nobody",
        "password": "x",
        "extra": json.loads("[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)),
    }

    response = APIClient().post("/api/auth/token/", body, format="json")

    assert response.status_code == 400  # wrong password, read as JSON: the body itself was accepted
    assert "non_field_errors" in response.json()


def test_deep_json_to_every_ticket_change_is_a_400(technician_user):
    ticket = TicketFactory()
    api = APIClient()
    api.force_authenticate(technician_user)
    base = f"/api/tickets/{ticket.pk}/"
    for method, path in [
        ("post", "/api/tickets/"),
        ("patch", base),
        ("post", base + "transition/"),
        ("post", base + "assign/"),
        ("post", base + "take/"),
        ("post", base + "comments/"),
    ]:
        response = getattr(api, method)(path, DEEP, content_type="application/json", HTTP_IF_MATCH='"1"')
        assert response.status_code == 400, (method, path, response.content[:200])


def _views(resolver=None):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if hasattr(pattern, "url_patterns"):
            yield from _views(pattern)
        else:
            yield pattern


def test_every_api_view_reads_json_through_the_depth_limited_parser():
    """A view naming DRF's own JSONParser (a library's view, a new action) would bring the 500 back."""
    plain = []
    for pattern in _views():
        view_class = getattr(pattern.callback, "cls", None)
        if view_class is None or not hasattr(view_class, "parser_classes"):
            continue
        parsers = list(view_class.parser_classes)
        actions = getattr(pattern.callback, "actions", None) or {}
        for action_name in set(actions.values()):
            parsers += list(getattr(getattr(view_class, action_name), "kwargs", {}).get("parser_classes", []))
        for parser in parsers:
            if issubclass(parser, JSONParser) and not issubclass(parser, DepthLimitedJSONParser):
                plain.append((str(pattern.pattern), parser.__name__))
    assert not plain
