"""System checks for settings that Django's own `check --deploy` does not know about.

SITE_URL: every link read away from a request (mail, rating links, printed QR labels) is built from it
(common.addresses). Unset or pointing at this machine, every such link is broken for its reader, and
nothing else would say so until the first complaint.
"""

from __future__ import annotations

from ipaddress import ip_address
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.http.request import validate_host

EXAMPLE = "SITE_URL=https://servicedesk.mbashe.gov.za"
WHAT_FOR = "links in mail, rating links and printed QR labels"


def _local(host: str) -> bool:
    if host in ("localhost", "") or host.endswith(".localhost"):
        return True
    try:
        address = ip_address(host.strip("[]"))
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


@register(Tags.security)
def site_url_is_an_address(app_configs, **kwargs):
    """Always: a SITE_URL that is set must be scheme://host[:port] and nothing more."""
    value = settings.SITE_URL
    if not value:
        return []
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        return [
            Error(
                f"SITE_URL {value!r} is not an address like https://host or http://host:port.",
                hint=f"Set the address people open the service desk at, without a path, e.g. {EXAMPLE}.",
                id="servicedesk.E001",
            )
        ]
    if parts.query or parts.fragment or parts.username:
        return [Error(f"SITE_URL {value!r} has more than scheme, host and port.", id="servicedesk.E001")]
    return []


@register(Tags.security, deploy=True)
def site_url_for_deployment(app_configs, **kwargs):
    """`check --deploy`: SITE_URL is set, reachable from other machines, HTTPS and one of ALLOWED_HOSTS."""
    value = settings.SITE_URL
    if not value:
        return [
            Error(
                f"SITE_URL is not set: {WHAT_FOR} would have no address to point at.",
                hint=f"Set the address people open the service desk at, e.g. {EXAMPLE} (docs/operations.md).",
                id="servicedesk.E002",
            )
        ]
    parts = urlsplit(value)
    if not parts.hostname:
        return []  # site_url_is_an_address reports it
    found: list[CheckMessage] = []
    if _local(parts.hostname):
        found.append(
            Error(
                f"SITE_URL {value!r} points at this machine itself: {WHAT_FOR} would not open on "
                "anyone else's phone or PC.",
                hint=f"Set the public address, e.g. {EXAMPLE}.",
                id="servicedesk.E003",
            )
        )
    if parts.scheme != "https":
        found.append(
            Warning(
                f"SITE_URL {value!r} is plain HTTP: {WHAT_FOR} would send people over an unencrypted "
                "link first (and their rating or reset tokens with it).",
                hint=f"Serve the desk over HTTPS and say so, e.g. {EXAMPLE}.",
                id="servicedesk.W001",
            )
        )
    if not validate_host(parts.hostname, settings.ALLOWED_HOSTS):
        found.append(
            Warning(
                f"SITE_URL's host {parts.hostname!r} is not in ALLOWED_HOSTS: {WHAT_FOR} would be "
                "answered 400 Bad Request.",
                hint="Add the host to ALLOWED_HOSTS, or correct SITE_URL.",
                id="servicedesk.W002",
            )
        )
    return found
