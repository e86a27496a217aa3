"""The page frame's one banner mechanism: lines every page shows at its top ("Willowvale unavailable since
09:10 ...", "Planned ICT work at your site until 14:00 ...").

The frame (common/templates/base.html) knows no app. Apps register a provider at start-up, a function
`(user) -> list[Banner]` (outages from OutagesConfig.ready, changes from ChangesConfig.ready); the context
processor `banners` hands the frame one lazy list, so a page that does not render the frame (a file, the
API, a redirect) asks no provider. Each provider answers in at most one query (tests/common/test_banners.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import SimpleLazyObject


@dataclass(frozen=True)
class Banner:
    text: str
    # "warning": something is down now (an outage); "info": planned work the person should know of.
    level: str = "info"


LEVELS = ("info", "warning")
BannerProvider = Callable[[Any], list[Banner]]  # (signed-in user) -> banners, [] for none
_providers: dict[str, BannerProvider] = {}


def register_banner_provider(name: str, provider: BannerProvider | None) -> None:
    """Register (or replace, by name; None removes) what one app shows at the top of every page."""
    if provider is None:
        _providers.pop(name, None)
    else:
        _providers[name] = provider


def banners_for(user: Any) -> list[Banner]:
    """Every registered provider's banners for this person, in registration order."""
    found: list[Banner] = []
    for provider in _providers.values():
        for banner in provider(user):
            if banner.level not in LEVELS:
                raise ValueError(f"Unknown banner level {banner.level!r}")
            found.append(banner)
    return found


def banners(request: Any) -> dict[str, Any]:
    """Context processor: `banners` for the signed-in, read only when the page frame shows it."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {"banners": []}
    return {"banners": SimpleLazyObject(lambda: banners_for(user))}
