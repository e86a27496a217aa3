"""The documented hook through which apps above problems add to a problem's page and hear that a problem
changed, without problems importing them (docs/architecture.md, "Exceptions to the arrow").

`knowledge` registers here at start-up (KnowledgeConfig.ready): the problem page's panel that publishes the
known error's workaround for staff as a help article, and the receiver that keeps that article in step
with the problem. With nothing registered the page is what it was and a change tells no one.

A panel is a template of the registering app and its context (incidents.ticket_extensions.Panel); the
problem page includes it by name. Each provider must answer in a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.dispatch import Signal

from incidents.ticket_extensions import Panel

ProblemPanelProvider = Callable[[Any, Any], Panel | None]  # (user, problem) -> panel or None

_problem_panels: dict[str, ProblemPanelProvider] = {}

# Sent by problems.services inside the transaction that changed the problem (its words, its service or
# its status), with problem= (the saved row) and by= (who changed it): a receiver's writes commit or roll
# back with the change.
problem_changed = Signal()


def register_problem_panel(name: str, provider: ProblemPanelProvider) -> None:
    """Register (or replace, by name) one app's panel on the problem page."""
    _problem_panels[name] = provider


def problem_panels(user: Any, problem: Any) -> list[Panel]:
    return [panel for provider in _problem_panels.values() if (panel := provider(user, problem)) is not None]
