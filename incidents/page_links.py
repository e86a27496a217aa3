"""Links the ticket page offers the service desk from apps above incidents, through one registered hook.

An app above (mail in: the original mail's headers) registers a provider at start-up (its AppConfig.ready);
the ticket page asks `links_for(ticket)` for the desk only. incidents never imports the provider's app
(docs/architecture.md, "Exceptions to the arrow"). A provider answers without a query for the tickets it
has nothing to say about.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .models import Ticket


@dataclass(frozen=True)
class PageLink:
    label: str
    url: str


Provider = Callable[[Ticket], "PageLink | None"]
_providers: list[Provider] = []


def register(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def links_for(ticket: Ticket) -> list[PageLink]:
    return [link for provider in _providers if (link := provider(ticket)) is not None]
