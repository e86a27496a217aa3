"""The verbs that change a change: create, edit, move along the lifecycle, approve, link incidents.

Every status move goes through `_move`, which applies the one table (changes/lifecycle.py) and writes
the history row; approvals through `change_decide`. Rule violations are ValidationError (a 400 in the
API, form errors on pages).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from . import lifecycle, selectors
from .lifecycle import APPROVE, SYSTEM
from .models import (
    DONE,
    SUCCEEDED,
    Change,
    ChangeApproval,
    ChangeEvent,
    ChangeStatus,
    ChangeTemplate,
    ChangeType,
    Decision,
    Outcome,
    ProblemFix,
    reference_for,
)
from .risk import approvals_needed, risk_for

# Editing these on an approved or scheduled change sends it back to assessment.
PLAN_FIELDS = ("implementation_plan", "backout_plan", "test_plan", "planned_start", "planned_end")
EDITABLE_FIELDS = (
    "summary",
    "reason",
    "likelihood",
    "impact",
    *PLAN_FIELDS,
    "interrupts_service",
    "service_transition",
    "implementer",
)
# Statuses in which the request itself may still be edited.
EDITABLE_STATUSES = (
    ChangeStatus.DRAFT,
    ChangeStatus.SUBMITTED,
    ChangeStatus.ASSESSED,
    ChangeStatus.APPROVED,
    ChangeStatus.SCHEDULED,
    ChangeStatus.REJECTED,
)


def _event(change: Change, kind: str, by: Any, old: str = "", new: str = "", note: str = "") -> None:
    ChangeEvent.objects.create(
        change=change,
        kind=kind,
        actor=by,
        at=timezone.now(),
        old_value=old[:200],
        new_value=new[:200],
        note=note,
    )


def _lock(change: Change) -> Change:
    return Change.objects.select_for_update().get(pk=change.pk)


def _check_window(start: datetime | None, end: datetime | None) -> None:
    if start and end and end <= start:
        raise ValidationError({"planned_end": "The change must end after it starts."})


@transaction.atomic
def change_create(
    *,
    by: Any,
    summary: str = "",
    reason: str = "",
    type: str = ChangeType.NORMAL,
    template: ChangeTemplate | None = None,
    services: list | tuple = (),
    sites: list | tuple = (),
    assets: list | tuple = (),
    **fields: Any,
) -> Change:
    """Raise a request for change (a draft). A standard change is made from an active template, whose
    reason, plans and risk it takes."""
    if not lifecycle.parties_of(by) & {lifecycle.WORK}:
        raise PermissionDenied("Your role may not raise changes.")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be set."))
    if type == ChangeType.STANDARD:
        if template is None or not template.active:
            raise ValidationError({"template": "A standard change is made from an active template."})
        reason = reason or template.reason
        fields.update(
            implementation_plan=template.implementation_plan,
            backout_plan=template.backout_plan,
            test_plan=template.test_plan,
            likelihood=template.likelihood,
            impact=template.impact,
            interrupts_service=fields.get("interrupts_service", template.interrupts_service),
        )
        summary = summary or template.name
    elif template is not None:
        raise ValidationError({"template": "Only a standard change is made from a template."})
    if not summary.strip():
        raise ValidationError({"summary": "Say in a line what will change."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the change is needed."})
    _check_window(fields.get("planned_start"), fields.get("planned_end"))
    change = Change(
        summary=summary.strip(), reason=reason, type=type, template=template, requested_by=by, **fields
    )
    change.risk = risk_for(likelihood=change.likelihood, impact=change.impact)
    change.full_clean(exclude=["requested_by"])
    change.save()
    change.services.set(services)
    change.sites.set(sites)
    change.assets.set(assets)
    _event(change, ChangeEvent.Kind.CREATED, by, new=ChangeStatus.DRAFT)
    return change


@transaction.atomic
def change_update(
    *, change: Change, by: Any, services=None, sites=None, assets=None, **fields: Any
) -> Change:
    """Edit a change's request. An approved or scheduled change whose plan, dates, services, sites or
    assets change goes back to assessment, and its approvals must be given again."""
    if not lifecycle.parties_of(by) & {lifecycle.WORK}:
        raise PermissionDenied("Your role may not edit changes.")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be changed here."))
    locked = _lock(change)
    if locked.status not in EDITABLE_STATUSES:
        raise ValidationError(f"A change that is {locked.get_status_display().lower()} cannot be edited.")
    if locked.type == ChangeType.STANDARD and set(fields) & {"likelihood", "impact", *PLAN_FIELDS[:3]}:
        raise ValidationError("A standard change follows its template's plans and risk.")
    changed = [name for name, value in fields.items() if getattr(locked, name) != value]
    for name in changed:
        setattr(locked, name, fields[name])
    _check_window(locked.planned_start, locked.planned_end)
    locked.risk = risk_for(likelihood=locked.likelihood, impact=locked.impact)
    locked.full_clean(exclude=["requested_by"])
    relations = {"services": services, "sites": sites, "assets": assets}
    for name, values in relations.items():
        if values is None:
            continue
        before = set(getattr(locked, name).values_list("pk", flat=True))
        after = {getattr(v, "pk", v) for v in values}
        if before != after:
            getattr(locked, name).set(after)
            changed.append(name)
    if not changed:
        return locked
    locked.save()
    _event(locked, ChangeEvent.Kind.EDITED, by, note="Changed: " + ", ".join(changed) + ".")
    replanned = set(changed) & {*PLAN_FIELDS, "services", "sites", "assets", "likelihood", "impact"}
    if (
        replanned
        and locked.status in (ChangeStatus.APPROVED, ChangeStatus.SCHEDULED)
        and locked.type != ChangeType.STANDARD
    ):
        locked.approvals.filter(current=True).update(current=False)
        _move(
            locked,
            ChangeStatus.ASSESSED,
            by=None,
            party=SYSTEM,
            note="The plan or dates changed after approval.",
        )
        locked.save(update_fields=["status", "updated_at"])
    return locked


def _conflicts_text(change: Change) -> str:
    """The change's conflicts in words, one a line; notes on the change whether one is a critical period
    (the caller saves `in_critical_period`)."""
    conflicts = selectors.change_conflicts(change)
    change.in_critical_period = any(conflict.kind == "critical_period" for conflict in conflicts)
    return "\n".join(conflict.reason for conflict in conflicts)


def _move(change: Change, to: str, *, by: Any, party: str | None = None, note: str = "") -> None:
    """Apply one step of the table (the caller saves). `party` is given for system moves; a person's
    parties come from the access table."""
    step = lifecycle.transition(change.status, to, change.type)
    if step is None:
        raise ValidationError(
            f"A {change.get_type_display().lower()} change that is {change.get_status_display().lower()} "
            f"cannot become {ChangeStatus(to).label.lower()}."
        )
    parties = frozenset({party}) if party else lifecycle.parties_of(by)
    if not step.by & parties:
        raise PermissionDenied(f"Your role may not take the step {step.name!r}.")
    old = change.status
    change.status = to
    _event(change, ChangeEvent.Kind.STATUS, by, old=old, new=to, note=note)


@transaction.atomic
def change_transition(
    *,
    change: Change,
    by: Any,
    to: str,
    note: str = "",
    outcome: str = "",
    review: str = "",
    justification: str = "",
) -> Change:
    """Move a change one step. Approve and reject are decisions (`change_decide`); recording the outcome
    needs the outcome, and a post-implementation review for anything but a clean success."""
    if to not in ChangeStatus.values:
        raise ValidationError({"to": f"Unknown status {to!r}."})
    if to in (ChangeStatus.APPROVED, ChangeStatus.REJECTED):
        decision = Decision.APPROVED if to == ChangeStatus.APPROVED else Decision.REJECTED
        return change_decide(change=change, by=by, decision=decision, note=note, justification=justification)
    locked = _lock(change)
    if (locked.status, to) == (ChangeStatus.DRAFT, ChangeStatus.SUBMITTED):
        _check_ready(locked)
    if to == ChangeStatus.SCHEDULED and not (locked.planned_start and locked.planned_end):
        raise ValidationError({"planned_start": "Give the planned start and end before scheduling."})
    fields = ["status", "updated_at"]
    if to == ChangeStatus.IMPLEMENTED:
        if outcome not in Outcome.values:
            raise ValidationError({"outcome": "Say how the change went."})
        if outcome != Outcome.SUCCESSFUL and not (review or locked.review).strip():
            raise ValidationError(
                {"review": "Anything but a clean success needs a post-implementation review."}
            )
        locked.outcome, locked.implemented_at = outcome, timezone.now()
        locked.review = review or locked.review
        fields += ["outcome", "implemented_at", "review"]
    elif review:
        locked.review = review
        fields.append("review")
    if to == ChangeStatus.CLOSED and locked.type == ChangeType.EMERGENCY and not _approved_by_enough(locked):
        raise ValidationError("An emergency change is closed only once it has been approved after the fact.")
    # Conflicts are flagged when the change is put forward: at submission, or when a standard change is
    # scheduled (it has no approval step).
    conflicts = ""
    if to == ChangeStatus.SUBMITTED or (locked.status, to) == (ChangeStatus.DRAFT, ChangeStatus.SCHEDULED):
        conflicts = _conflicts_text(locked)
        fields.append("in_critical_period")
    _move(locked, to, by=by, note=note)
    locked.save(update_fields=fields)
    if conflicts:
        _event(locked, ChangeEvent.Kind.CONFLICTS, by, note=conflicts)
    if to == ChangeStatus.IMPLEMENTED and locked.outcome in SUCCEEDED and locked.service_transition:
        _transition_services(locked)
    return locked


def _check_ready(change: Change) -> None:
    missing = {
        name: "Needed before the change is submitted."
        for name in ("implementation_plan", "backout_plan", "test_plan", "planned_start", "planned_end")
        if not getattr(change, name)
    }
    if missing:
        raise ValidationError(missing)


def _transition_services(change: Change) -> None:
    """The implemented change moves the services it names (the catalogue asks the guard, which finds it)."""
    from catalogue.services import service_change_status

    for service in change.services.order_by("pk"):
        service_change_status(service=service, status=change.service_transition)


def _approved_by_enough(change: Change) -> bool:
    approvals = change.approvals.filter(current=True, decision=Decision.APPROVED).count()
    return approvals >= approvals_needed(change_type=change.type, risk=change.risk)


# An emergency change may be approved after the fact, while (or after) it is carried out.
AFTER_THE_FACT = (ChangeStatus.IN_PROGRESS, ChangeStatus.IMPLEMENTED, ChangeStatus.REVIEWED)


@transaction.atomic
def change_decide(
    *, change: Change, by: Any, decision: str, note: str = "", justification: str = ""
) -> Change:
    """Record one approver's decision. A rejection rejects the change; approval moves it to approved once
    enough different people approved (two for a high-risk normal change). Approving a change with
    conflicts needs a justification, recorded with the conflicts seen."""
    if APPROVE not in lifecycle.parties_of(by):
        raise PermissionDenied("Your role may not approve changes.")
    locked = _lock(change)
    after_the_fact = locked.type == ChangeType.EMERGENCY and locked.status in AFTER_THE_FACT
    if locked.status != ChangeStatus.ASSESSED and not after_the_fact:
        raise ValidationError(
            f"A change that is {locked.get_status_display().lower()} is not awaiting approval."
        )
    if locked.approvals.filter(current=True, approver=by).exists():
        raise ValidationError("You have already decided on this change.")
    conflicts = _conflicts_text(locked)
    if decision == Decision.APPROVED and conflicts and not justification.strip():
        raise ValidationError({"justification": "This change has conflicts; say why it may go ahead anyway."})
    if decision == Decision.REJECTED and not note.strip():
        raise ValidationError({"note": "Say why the change is rejected."})
    ChangeApproval.objects.create(
        change=locked,
        approver=by,
        decision=decision,
        at=timezone.now(),
        note=note[:500],
        conflicts=conflicts,
        justification=justification.strip(),
    )
    _event(locked, ChangeEvent.Kind.APPROVAL, by, new=decision, note=justification or note)
    if after_the_fact:
        locked.save(update_fields=["in_critical_period", "updated_at"])
        return locked
    if decision == Decision.REJECTED:
        _move(locked, ChangeStatus.REJECTED, by=by, note=note)
    elif _approved_by_enough(locked):
        _move(locked, ChangeStatus.APPROVED, by=by, note=note)
    else:
        locked.save(update_fields=["in_critical_period", "updated_at"])
        return locked
    locked.save(update_fields=["status", "in_critical_period", "updated_at"])
    return locked


# A change that has been carried out (or is being) is the only kind that can cause an incident.
MAY_CAUSE_INCIDENTS = (ChangeStatus.IN_PROGRESS, *DONE)


@transaction.atomic
def change_link_incident(*, change: Change, ticket: Any, by: Any) -> Change:
    """Record that an incident was caused by this change (the change page's "link an incident"); an
    incident caused by another change moves here (incident_caused_by_set)."""
    incident_caused_by_set(ticket=ticket, change=change, by=by)
    return change


@transaction.atomic
def incident_caused_by_set(*, ticket: Any, change: Change | None, by: Any) -> Change | None:
    """Name the change that caused this incident, or none. An incident is caused by at most one change:
    naming another moves it. Each link and unlink is a history row on the change (ChangeEvent) and an
    internal row on the ticket (incidents.services.ticket_change_recorded)."""
    from incidents.models import Ticket
    from incidents.services import ticket_change_recorded

    if lifecycle.WORK not in lifecycle.parties_of(by):
        raise PermissionDenied("Your role may not link incidents to changes.")
    if ticket.kind != "incident":
        raise ValidationError({"ticket": f"{ticket.reference} is a service request, not an incident."})
    # The ticket's row first, then the change's: two people naming a cause for one incident take turns.
    Ticket.objects.select_for_update().filter(pk=ticket.pk).first()
    if change is not None:
        change = _lock(change)
        if change.status not in MAY_CAUSE_INCIDENTS:
            raise ValidationError(
                {
                    "ticket": "Only a change that has been carried out can cause an incident; "
                    f"{change.reference} is {change.get_status_display().lower()}."
                }
            )
    current = list(Change.objects.filter(caused_incidents=ticket.pk).order_by("pk"))
    wanted = [change.pk] if change is not None else []
    if [c.pk for c in current] == wanted:
        return change
    for old in current:
        if old.pk in wanted:
            continue
        old.caused_incidents.remove(ticket.pk)
        moved = f"; now caused by {change.reference}" if change is not None else ""
        _event(
            old,
            ChangeEvent.Kind.INCIDENT,
            by,
            old=ticket.reference,
            note=f"No longer named as its cause{moved}.",
        )
    if change is not None and all(old.pk != change.pk for old in current):
        change.caused_incidents.add(ticket.pk)
        _event(change, ChangeEvent.Kind.INCIDENT, by, new=ticket.reference, note=ticket.summary)
    ticket_change_recorded(
        ticket=ticket,
        by=by,
        old=", ".join(old.reference for old in current),
        new=change.reference if change is not None else "",
        note=change.summary if change is not None else "",
    )
    return change


def problem_fix_record(*, problem: Any, value: Any, by: Any) -> tuple[str, str] | None:
    """Name the change that carries a problem's permanent fix, or none: the writer of the problem's
    `fixed_by_change`, called by problems.services.problem_update inside its transaction with the problem
    locked (problems.problem_extensions). Only a change a problem may name
    (selectors.changes_a_problem_may_name); each naming and un-naming is a history row on the change.
    Returns the old and new references for the problem's history, or None when nothing changed."""
    change_pk = getattr(value, "pk", value)
    change = None
    if change_pk is not None:
        change = selectors.changes_a_problem_may_name().filter(pk=change_pk).first()
        if change is None:
            raise ValidationError(
                {
                    "fixed_by_change": f"{reference_for(change_pk)} cannot carry the fix: there is no such "
                    "change, or it was rejected or cancelled."
                }
            )
    current = (
        ProblemFix.objects.select_for_update(of=("self",))
        .select_related("change")
        .filter(problem=problem.pk)
        .first()
    )
    old = current.change if current is not None else None
    if (old.pk if old else None) == (change.pk if change else None):
        return None
    if old is not None:
        moved = f"; now {change.reference}" if change is not None else ""
        _event(
            old,
            ChangeEvent.Kind.PROBLEM,
            by,
            old=problem.reference,
            note=f"No longer named as the fix{moved}.",
        )
    now = timezone.now()
    if change is None:
        if current is not None:  # always: naming none where none was named returned above
            current.delete()
    elif current is not None:
        current.change, current.named_by, current.named_at = change, by, now
        current.save(update_fields=["change", "named_by", "named_at"])
    else:
        ProblemFix.objects.create(problem_id=problem.pk, change=change, named_by=by, named_at=now)
    if change is not None:
        _event(change, ChangeEvent.Kind.PROBLEM, by, new=problem.reference, note=problem.summary)
    return (old.reference if old else "", change.reference if change else "")
