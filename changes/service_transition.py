"""Service transition: a catalogue service goes live, or is retired, only through an implemented change
that names it (issue 18). Registered as catalogue's transition guard (catalogue.transitions) at
start-up; the one place of this rule."""

from __future__ import annotations

from typing import Any

from catalogue.models import Lifecycle

from .models import DONE, SUCCEEDED, Change


def enabling_change(service: Any, status: str) -> Change | None:
    """The implemented, successful change that names the service and moves it to `status`."""
    if service.pk is None:
        return None
    return (
        Change.objects.filter(
            services=service, service_transition=status, status__in=DONE, outcome__in=SUCCEEDED
        )
        .order_by("-implemented_at", "-id")
        .first()
    )


def transition_refusal(service: Any, status: str) -> str | None:
    # Going live, and retiring a live service, are changes; dropping a pipeline service unlaunched is not.
    if status == Lifecycle.RETIRED and service.status != Lifecycle.LIVE:
        return None
    if status not in (Lifecycle.LIVE, Lifecycle.RETIRED):
        return None
    if enabling_change(service, status) is not None:
        return None
    verb, step = (
        ("goes live", "Make the services live")
        if status == Lifecycle.LIVE
        else ("is retired", "Retire the services")
    )
    return (
        f"{service.name} {verb} only through an implemented change that names it: raise a change "
        f"with the service transition '{step}'."
    )
