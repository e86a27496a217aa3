"""The documented hook through which apps above problems add to a problem's page, its JSON and what
`problems.services.problem_update` may change, without problems importing them (docs/architecture.md,
"Exceptions to the arrow").

`changes` and `knowledge` register here at start-up. `changes` (ChangesConfig.ready,
changes/problem_fixes.py): the change that carries the problem's permanent fix ("fixed by change CHG-..."),
as a panel on the problem page, the JSON's `fixed_by_change` and a writer for that field. With nothing
registered the page and JSON are what they were (the field is null) and the field cannot be written.
`knowledge` (KnowledgeConfig.ready, knowledge/known_errors.py) adds the panel that publishes the known
error's workaround for staff as a help article, and listens to `problem_changed` to keep that article in
step.

A panel is a template of the registering app and its context; the problem page includes it by name. A
writer is called by `problem_update` inside its transaction, after the problem is locked and its version
checked: it validates and records the value (raising ValidationError to change nothing) and returns the
old and new values in words for the problem's history, or None when nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Expression, QuerySet
from django.dispatch import Signal

from incidents.ticket_extensions import Panel

ProblemPanelProvider = Callable[[Any, Any], Panel | None]  # (user, problem) -> panel or None
AnnotationProvider = Callable[[Any], dict[str, Expression]]  # (user) -> {JSON field: SQL expression}
FieldWriter = Callable[..., tuple[str, str] | None]  # (problem=, value=, by=) -> (old, new) in words

_panels: dict[str, ProblemPanelProvider] = {}
_annotations: dict[str, AnnotationProvider] = {}
_writers: dict[str, FieldWriter] = {}

# Sent by problems.services inside the transaction that changed the problem (its words, its service or
# its status), with problem= (the saved row) and by= (who changed it): a receiver's writes commit or roll
# back with the change.
problem_changed = Signal()

# The fields of the problem JSON that a registered provider fills (null when none does).
ANNOTATED_FIELDS = ("fixed_by_change",)

__all__ = [
    "ANNOTATED_FIELDS",
    "Panel",
    "annotate",
    "problem_changed",
    "problem_panels",
    "register",
    "writable_fields",
    "write",
]


def register(
    name: str,
    *,
    problem_panel: ProblemPanelProvider | None = None,
    annotations: AnnotationProvider | None = None,
    writers: dict[str, FieldWriter] | None = None,
) -> None:
    """Register (or replace, by name) what one app adds."""
    if problem_panel is not None:
        _panels[name] = problem_panel
    if annotations is not None:
        _annotations[name] = annotations
    for field, writer in (writers or {}).items():
        _writers[field] = writer


def problem_panels(user: Any, problem: Any) -> list[Panel]:
    return [panel for provider in _panels.values() if (panel := provider(user, problem)) is not None]


def annotate(user: Any, problems: QuerySet) -> QuerySet:
    """The problems with every registered JSON field annotated for this user."""
    wanted: dict[str, Expression] = {}
    for provider in _annotations.values():
        wanted.update(provider(user))
    return problems.annotate(**wanted) if wanted else problems


def writable_fields() -> frozenset[str]:
    return frozenset(_writers)


def write(field: str, *, problem: Any, value: Any, by: Any) -> tuple[str, str] | None:
    return _writers[field](problem=problem, value=value, by=by)
