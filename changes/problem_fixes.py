"""What changes adds to a problem ("fixed by change CHG-..."), through problems.problem_extensions (the
hook): the problem page's panel, the problem JSON's `fixed_by_change` and its writer
(services.problem_fix_record). Registered by ChangesConfig.ready; problems never imports changes."""

from __future__ import annotations

from django.db.models import IntegerField, OuterRef, Subquery, Value

from common import access
from problems.problem_extensions import Panel
from problems.problem_extensions import register as register_extension

from . import services
from .models import SUCCEEDED, ChangeStatus, ProblemFix

# The fixing change has done its work: the problem page tells the technician to check and resolve.
IMPLEMENTED = (ChangeStatus.IMPLEMENTED, ChangeStatus.REVIEWED, ChangeStatus.CLOSED)


def problem_panel(user, problem) -> Panel | None:
    """The problem page's "Fixed by change" panel (one query: the link with its change). Once the change
    is implemented with a successful outcome, it says so; the technician resolves the problem."""
    if not access.may(user, "problem.work"):
        return None
    fix = ProblemFix.objects.select_related("change").filter(problem=problem.pk).first()
    change = fix.change if fix is not None else None
    return Panel(
        "changes/includes/problem_fix_panel.html",
        {
            "problem": problem,
            "change": change,
            "fix_in_place": change is not None
            and change.status in IMPLEMENTED
            and change.outcome in SUCCEEDED
            and problem.is_open,
            "may_change": problem.status != "closed",
        },
    )


def annotations(user) -> dict:
    """The problem JSON's `fixed_by_change`: the change's id, null when none is named."""
    if not access.may(user, "problem.work"):
        return {"fixed_by_change": Value(None, output_field=IntegerField())}
    return {
        "fixed_by_change": Subquery(ProblemFix.objects.filter(problem=OuterRef("pk")).values("change_id")[:1])
    }


def register() -> None:
    register_extension(
        "changes",
        problem_panel=problem_panel,
        annotations=annotations,
        writers={"fixed_by_change": services.problem_fix_record},
    )
