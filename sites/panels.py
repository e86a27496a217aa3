"""The documented hook through which apps above `sites` add a panel to a site's page, without `sites`
importing them (docs/architecture.md, "Exceptions to the arrow").

`outages` registers the site's availability this month (OutagesConfig.ready). A panel is a template of the
registering app and its context; the site page includes it by name. Each provider answers in a fixed
number of queries. With nothing registered the page is what it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SitePanel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


SitePanelProvider = Callable[[Any, Any], SitePanel | None]  # (user, site) -> panel or None

_providers: dict[str, SitePanelProvider] = {}


def register_site_panel(name: str, provider: SitePanelProvider) -> None:
    """Register (or replace, by name) what one app adds to a site's page."""
    _providers[name] = provider


def site_panels(user: Any, site: Any) -> list[SitePanel]:
    return [panel for provider in _providers.values() if (panel := provider(user, site)) is not None]
