"""Every HTML answer carries the Content-Security-Policy (issue 16: no page had one), strict enough that
script planted in a text would not run: no inline script, no eval, no plugin, no framing. The browser
proof is tests/e2e/test_content_security.py; this walks every URL of the URL conf."""

from __future__ import annotations

import pytest
from django.test import Client

from .endpoints import all_endpoints
from .test_role_matrix import own_values

pytestmark = pytest.mark.django_db


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


def test_every_html_answer_carries_a_strict_policy(world):
    missing, weak, checked = [], [], 0
    for who, user in (("staff", world.attacker), ("admin", world.admin), ("anonymous", None)):
        client = Client()
        if user is not None:
            client.force_login(user)
        for endpoint in all_endpoints():
            if endpoint.is_admin and who == "staff":
                continue
            url = endpoint.url(own_values(world, endpoint))
            response = client.get(url)
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            checked += 1
            header = response.get("Content-Security-Policy")
            if not header:
                missing.append(f"{who} {url} ({response.status_code})")
                continue
            policy = directives(header)
            script = policy.get("script-src", policy.get("default-src", []))
            if (
                not script
                or "'unsafe-inline'" in script
                or "'unsafe-eval'" in script
                or "*" in script
                or policy.get("object-src") != ["'none'"]
                or policy.get("frame-ancestors") != ["'none'"]
            ):
                weak.append(f"{who} {url}: {header}")
    assert checked > 50
    assert missing == []
    assert weak == []
