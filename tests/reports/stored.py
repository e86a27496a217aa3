"""The dashboard and GET /api/reports/kpis/ only read stored figures (reports.stored_months): the first
ask of a month and scope queues its count. `counted` does what the worker would between two asks."""

from __future__ import annotations

from reports import tasks


def _waiting(response) -> bool:
    if response.status_code == 202:
        return True
    context = getattr(response, "context", None)
    return (
        response.status_code == 200
        and context is not None
        and "report" in context
        and context["report"] is None
    )


def counted(client, path: str, params: dict | None = None):
    """GET `path`; if its figures were being counted for the first time, run the queued task (as the
    worker does: reports.tasks.recount_stale) and GET it again."""
    response = client.get(path, params or {})
    if _waiting(response):
        tasks.recount_stale()
        response = client.get(path, params or {})
    return response
