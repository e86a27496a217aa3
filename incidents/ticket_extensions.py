"""The documented hook through which apps above incidents add to a ticket's page, the queue and the
ticket JSON, without incidents importing them (docs/architecture.md, "Exceptions to the arrow").

`problems` registers here at start-up (ProblemsConfig.ready): the ticket page's problem and known-error
panel, the queue's "link the selected tickets to a problem" form, and the ticket JSON's `problem`.
`changes` registers (ChangesConfig.ready) the "caused by change" panel, the JSON's `caused_by_change`, and
a page annotation: the columns its panel reads, fetched in the ticket page's own query (no query more).
With nothing registered the page, the queue and the JSON are what they were (the fields are null).

A panel is a template of the registering app and its context; the ticket page and the queue include it
by name (`{% include panel.template %}`), so the template belongs to the app that knows what it shows.
Each provider must answer in a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Expression, QuerySet


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


TicketPanelProvider = Callable[[Any, Any], Panel | None]  # (user, ticket) -> panel or None
QueuePanelProvider = Callable[[Any], Panel | None]  # (user) -> panel or None
AnnotationProvider = Callable[[Any], dict[str, Expression]]  # (user) -> {JSON field: SQL expression}

_ticket_panels: dict[str, TicketPanelProvider] = {}
_queue_panels: dict[str, QueuePanelProvider] = {}
_annotations: dict[str, AnnotationProvider] = {}
_page_annotations: dict[str, AnnotationProvider] = {}

# The fields of the ticket JSON that a registered provider fills (null when none does).
ANNOTATED_FIELDS = ("problem", "caused_by_change")


def register(
    name: str,
    *,
    ticket_panel: TicketPanelProvider | None = None,
    queue_panel: QueuePanelProvider | None = None,
    annotations: AnnotationProvider | None = None,
    page_annotations: AnnotationProvider | None = None,
) -> None:
    """Register (or replace, by name) what one app adds. `page_annotations` are read by the ticket page's
    own query (selectors.ticket_for_page) for the app's panel, so that the panel costs no query."""
    if ticket_panel is not None:
        _ticket_panels[name] = ticket_panel
    if queue_panel is not None:
        _queue_panels[name] = queue_panel
    if annotations is not None:
        _annotations[name] = annotations
    if page_annotations is not None:
        _page_annotations[name] = page_annotations


def ticket_panels(user: Any, ticket: Any) -> list[Panel]:
    return [panel for provider in _ticket_panels.values() if (panel := provider(user, ticket)) is not None]


def queue_panels(user: Any) -> list[Panel]:
    return [panel for provider in _queue_panels.values() if (panel := provider(user)) is not None]


def annotate(user: Any, tickets: QuerySet) -> QuerySet:
    """The tickets with every registered JSON field annotated for this user."""
    wanted: dict[str, Expression] = {}
    for provider in _annotations.values():
        wanted.update(provider(user))
    return tickets.annotate(**wanted) if wanted else tickets


def annotate_page(user: Any, tickets: QuerySet) -> QuerySet:
    """The tickets with every registered page annotation for this user (the ticket page's query)."""
    wanted: dict[str, Expression] = {}
    for provider in _page_annotations.values():
        wanted.update(provider(user))
    return tickets.annotate(**wanted) if wanted else tickets
