"""A change refused because it was made from a stale copy: the one exception every app raises for it.

The API answers it with 409, the row's current version and an ETag (common.api_errors), so a client can
reload and try again. An app subclasses it with its own message (incidents.services.TicketConflict).
"""

from __future__ import annotations


class StaleCopy(Exception):
    """Someone else changed the row since this copy was read; nothing was saved (HTTP 409)."""

    def __init__(self, message: str, *, version: int):
        self.version = version
        super().__init__(message)
