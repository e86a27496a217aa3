"""/api/tickets/: tickets, their conversation, files, lifecycle, assignment and rating.

The API is a thin layer over the same pieces as the pages: the scope is permissions.visible_tickets (a
ticket outside it is a 404, never a 403), reads go through selectors, and every change is one of the
services' verbs. A rule the services refuse (Django's ValidationError, PermissionDenied, TicketConflict)
becomes a 400, 403 or 409 in common.api_errors.

Fields a role may not set are refused, never silently dropped:
- a field nobody sets through the API (priority, requester, due times, summary...) is a 400 naming it;
- a field only the ICT service desk sets (impact, status, assignee...) sent by a requester is a 403 naming it.
A requester's own moves (confirm the resolution, reopen, withdraw) go through POST .../transition/.

Optimistic concurrency: every ticket response carries `version` (and an ETag); a change may send the
version it was made from (`version` in the body or an `If-Match` header); a stale one is a 409 that changes
nothing.

The package: `serializers` (the JSON), `requests` (what a request may send), `tickets` (the viewset).
"""

from .serializers import TicketListSerializer, TicketSerializer
from .tickets import FILTER_PARAMETERS, TicketFilterBackend, TicketViewSet

__all__ = [
    "FILTER_PARAMETERS",
    "TicketFilterBackend",
    "TicketListSerializer",
    "TicketSerializer",
    "TicketViewSet",
]
