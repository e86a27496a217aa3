"""What apps above incidents add to its pages and learn from its verbs, without incidents importing them.

`knowledge` (articles) sits above `incidents`: it registers a panel for the log form (suggested articles
while staff type), a panel for the ticket page (suggested articles for the desk) and listens to two
signals; `reports` listens to `ticket_changed`. With nothing registered the pages are as they were.
docs/architecture.md names this hook among the exceptions to the arrow.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.dispatch import Signal

# Sent by the log page once a ticket is logged; kwargs: ticket, request (what else the form carried).
ticket_logged = Signal()
# Sent by services.ticket_log for every ticket, whatever its channel (web, API, mail), inside its
# transaction; kwargs: ticket. A receiver that changed the ticket's row answers True, and the ticket is read
# again. (outages pre-links a ticket logged at a site that is down.)
ticket_recorded = Signal()
# Sent by services.ticket_comment for a public reply, inside its transaction; kwargs: ticket, comment, by.
public_reply_sent = Signal()
# Sent whenever a logged ticket changes (services._save, every change's one save; and each ticket whose
# clocks a recalculation re-derived), inside the changing transaction; kwargs: ticket. `reports` marks
# the ended months the ticket counts in as stale, so their stored figures are recounted (issue 22).
ticket_changed = Signal()

_log_form_panels: list[str] = []
_ticket_panels: list[Callable[[Any, Any], str]] = []


def register_log_form_panel(template_name: str) -> None:
    """A template included on the log form under the summary and service (its context: the form's)."""
    if template_name not in _log_form_panels:
        _log_form_panels.append(template_name)


def log_form_panels() -> list[str]:
    return list(_log_form_panels)


def register_ticket_panel(render: Callable[[Any, Any], str]) -> None:
    """A callable (request, ticket) -> HTML shown on the ticket page to the service desk ("" for none)."""
    if render not in _ticket_panels:
        _ticket_panels.append(render)


def ticket_panels(request, ticket) -> list[str]:
    return [html for html in (render(request, ticket) for render in _ticket_panels) if html]
