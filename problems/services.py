"""The verbs of problem management. Every change to a problem goes through one of these functions: it
checks who may make it (common.access "problem.work"), locks the problem row, refuses a change made from a
stale copy (ProblemConflict), writes the problem's history and, for links, the ticket's history too
(incidents.services.ticket_problem_recorded)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from catalogue.models import Service, TicketKind
from catalogue.priority import priority_for
from common import access
from common.conflicts import StaleCopy
from incidents.models import OPEN_STATUSES, ResolutionCode, Status, Ticket
from incidents.services import ticket_change_status, ticket_comment, ticket_problem_recorded
from slas.calendars import is_working_day

from . import problem_extensions
from .lifecycle import NEEDS, transition
from .models import (
    OPEN_PROBLEM_STATUSES,
    Improvement,
    ImprovementReason,
    ImprovementStatus,
    IncidentLink,
    Problem,
    ProblemEvent,
    ProblemStatus,
    ProposalState,
    RecurrenceProposal,
    RecurrenceSettings,
)
from .problem_extensions import problem_changed
from .recurrence import IncidentPoint, recurrences_find

WORK = "problem.work"  # technicians, the ICT manager and admins (common/access.py)
DISMISS = "problem.dismiss_proposal"  # the ICT manager (and admins)
IMPROVE = "improvement.manage"  # the ICT manager (and admins): the improvement register


class ProblemConflict(StaleCopy):
    """Someone else changed the problem since this copy was read; nothing was changed (HTTP 409)."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(
            f"{problem.reference} was changed by someone else a moment ago. Nothing was saved: "
            "reload the problem to see the change, then try again.",
            version=problem.version,
        )


def _require(user) -> None:
    if not access.may(user, "problem.work"):
        raise PermissionDenied("Only the ICT service desk works problems.")


def _require_manager(user, action: str) -> None:
    # Each action named literally where it is asked (tests/common/test_access.py reads the calls).
    allowed = {
        DISMISS: access.may(user, "problem.dismiss_proposal"),
        IMPROVE: access.may(user, "improvement.manage"),
    }[action]
    if not allowed:
        raise PermissionDenied("Only the ICT manager may do this.")


def _lock(problem: Problem, expected_version: int | None) -> Problem:
    locked = Problem.objects.select_for_update().get(pk=problem.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ProblemConflict(locked)
    return locked


def _event(problem: Problem, kind: str, actor, *, field="", old="", new="", note="", at=None) -> None:
    ProblemEvent.objects.create(
        problem=problem,
        kind=kind,
        actor=actor,
        at=at or timezone.now(),
        field=field,
        old_value=str(old or "")[:200],
        new_value=str(new or "")[:200],
        note=note[:300],
    )


def _save(problem: Problem, fields: list[str]) -> None:
    problem.version += 1
    problem.save(update_fields=[*fields, "version", "updated_at"])


# --- logging and changing --------------------------------------------------------------------------------


@transaction.atomic
def problem_log(
    *,
    by,
    summary: str,
    service: Service,
    description: str = "",
    impact: str = "medium",
    urgency: str = "medium",
    sites: Iterable[Any] = (),
    assets: Iterable[Any] = (),
    owner=None,
    group=None,
    tickets: Sequence[Ticket] = (),
) -> Problem:
    """A new problem, its priority from the matrix (catalogue.priority), its first incidents linked."""
    _require(by)
    if not summary.strip():
        raise ValidationError({"summary": "Say in a line what keeps going wrong."})
    if owner is not None and not access.may(owner, "problem.work"):
        raise ValidationError({"owner": "The owner must be a technician of the service desk."})
    now = timezone.now()
    decision = priority_for(impact=impact, urgency=urgency, service=service, when=now)
    problem = Problem.objects.create(
        summary=summary.strip(),
        description=description.strip(),
        service=service,
        impact=impact,
        urgency=urgency,
        priority=decision.priority,
        owner=owner,
        group=group or service.support_group,
        created_by=by,
        created_at=now,
    )
    problem.sites.set(list(sites))
    problem.assets.set(list(assets))
    _event(problem, ProblemEvent.Kind.LOGGED, by, new=problem.get_status_display(), at=now)
    if tickets:
        problem_link_incidents(problem=problem, tickets=tickets, by=by)
    return problem


# Fields problem_update changes, each written to the history when it changes.
TEXT_FIELDS = ("summary", "description", "root_cause", "workaround", "workaround_public", "permanent_fix")
CHOICE_FIELDS = ("impact", "urgency", "root_cause_category")
RELATED_FIELDS = ("service", "owner", "group")
MANY_FIELDS = ("sites", "assets")
UPDATE_FIELDS = frozenset((*TEXT_FIELDS, *CHOICE_FIELDS, *RELATED_FIELDS, *MANY_FIELDS))


@transaction.atomic
def problem_update(
    *, problem: Problem, by, changes: dict[str, Any], expected_version: int | None = None
) -> Problem:
    """Change what is known about the problem. Recording a workaround on a problem still logged or under
    investigation makes it a known error (the lifecycle's "record as a known error" step). Fields that an
    app above registered (problem_extensions: `fixed_by_change`, the change carrying the permanent fix)
    are recorded by that app's writer in the same transaction, with a history row here."""
    _require(by)
    extended = problem_extensions.writable_fields()
    unknown = set(changes) - UPDATE_FIELDS - extended
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be changed here."))
    problem = _lock(problem, expected_version)
    if problem.status == ProblemStatus.CLOSED:
        raise ValidationError(
            {"status": f"{problem.reference} is closed; reopen it by logging a new problem."}
        )
    if "summary" in changes and not str(changes["summary"]).strip():
        raise ValidationError({"summary": "Say in a line what keeps going wrong."})
    owner = changes.get("owner")
    if owner is not None and not access.may(owner, "problem.work"):
        raise ValidationError({"owner": "The owner must be a technician of the service desk."})
    now = timezone.now()
    fields: list[str] = []
    for name in (*TEXT_FIELDS, *CHOICE_FIELDS, *RELATED_FIELDS):
        if name not in changes:
            continue
        new = changes[name].strip() if name in TEXT_FIELDS else changes[name]
        old = getattr(problem, name)
        if new == old:
            continue
        setattr(problem, name, new)
        fields.append(name)
        shown = (lambda v: (v or "")[:200]) if name in TEXT_FIELDS else (lambda v: v or "")
        _event(problem, ProblemEvent.Kind.CHANGED, by, field=name, old=shown(old), new=shown(new), at=now)
    if fields and {"impact", "urgency", "service"} & set(fields):
        decision = priority_for(
            impact=problem.impact, urgency=problem.urgency, service=problem.service, when=now
        )
        if decision.priority != problem.priority:
            _event(
                problem,
                ProblemEvent.Kind.CHANGED,
                by,
                field="priority",
                old=problem.priority,
                new=decision.priority,
                at=now,
            )
            problem.priority = decision.priority
            fields.append("priority")
    for name in MANY_FIELDS:
        if name in changes:
            related = getattr(problem, name)
            old_ids = set(related.values_list("pk", flat=True))
            new_items = list(changes[name])
            if {item.pk for item in new_items} != old_ids:
                related.set(new_items)
                _event(
                    problem,
                    ProblemEvent.Kind.CHANGED,
                    by,
                    field=name,
                    new=", ".join(map(str, new_items)),
                    at=now,
                )
                fields.append("updated_at")
    for name in sorted(extended & set(changes)):
        recorded = problem_extensions.write(name, problem=problem, value=changes[name], by=by)
        if recorded is not None:
            _event(
                problem, ProblemEvent.Kind.CHANGED, by, field=name, old=recorded[0], new=recorded[1], at=now
            )
            fields.append("updated_at")
    if problem.workaround and problem.status in (ProblemStatus.LOGGED, ProblemStatus.INVESTIGATING):
        _move(problem, ProblemStatus.KNOWN_ERROR, by, now, note="workaround recorded")
        fields += ["status", "known_error_at"]
    if problem.status == ProblemStatus.KNOWN_ERROR and not problem.workaround:
        raise ValidationError(
            {"workaround": "A known error keeps its workaround; change it, do not empty it."}
        )
    if fields:
        _save(problem, sorted(set(fields) - {"updated_at"}))
        problem_changed.send(sender=Problem, problem=problem, by=by)
    return problem


def _move(problem: Problem, to: str, by, now, note: str = "") -> None:
    step = transition(problem.status, to)
    if step is None:
        current, wanted = problem.get_status_display().lower(), ProblemStatus(to).label.lower()
        raise ValidationError({"status": f"A problem that is {current} cannot become {wanted}."})
    missing = [name for name in NEEDS.get(to, ()) if not getattr(problem, name)]
    if missing:
        labels = ", ".join(
            str(getattr(Problem._meta.get_field(name), "verbose_name", name)) for name in missing
        )
        raise ValidationError({missing[0]: f"Record the {labels} first."})
    old = problem.status
    problem.status = to
    if to == ProblemStatus.KNOWN_ERROR:
        problem.known_error_at = problem.known_error_at or now
    if to == ProblemStatus.RESOLVED:
        problem.resolved_at = now
    if to == ProblemStatus.CLOSED:
        problem.closed_at = now
    if old == ProblemStatus.RESOLVED and to == ProblemStatus.INVESTIGATING:
        problem.resolved_at = None
    _event(problem, ProblemEvent.Kind.STATUS, by, field="status", old=old, new=to, note=note, at=now)


class OpenIncidents:
    """What resolving a problem does to its still-open incidents."""

    LEAVE = ""
    RESOLVE = "resolve"
    TELL = "tell"
    CHOICES = (
        (LEAVE, "Leave them as they are"),
        (RESOLVE, "Resolve them, with this message to each requester"),
        (TELL, "Tell each requester this message, and leave them open"),
    )


@transaction.atomic
def problem_change_status(
    *,
    problem: Problem,
    to: str,
    by,
    expected_version: int | None = None,
    note: str = "",
    open_incidents: str = OpenIncidents.LEAVE,
    message: str = "",
) -> Problem:
    """Move the problem as the lifecycle table allows. Resolving it may resolve its still-open incidents,
    or tell their requesters, with one message (each requester is mailed once, by incidents)."""
    _require(by)
    problem = _lock(problem, expected_version)
    if open_incidents and to != ProblemStatus.RESOLVED:
        raise ValidationError({"open_incidents": "Only resolving a problem resolves or tells its incidents."})
    if open_incidents and not message.strip():
        raise ValidationError({"message": "Write the message the requesters will read."})
    now = timezone.now()
    _move(problem, to, by, now, note=note)
    _save(problem, ["status", "known_error_at", "resolved_at", "closed_at"])
    problem_changed.send(sender=Problem, problem=problem, by=by)
    if open_incidents:
        tickets = Ticket.objects.filter(problem_link__problem=problem, status__in=OPEN_STATUSES).order_by(
            "pk"
        )
        for ticket in tickets:
            if open_incidents == OpenIncidents.RESOLVE:
                ticket_change_status(
                    ticket=ticket,
                    to=Status.RESOLVED,
                    by=by,
                    resolution_code=ResolutionCode.FIXED,
                    resolution_note=message.strip(),
                    note=f"resolved with {problem.reference}",
                )
            else:
                ticket_comment(ticket=ticket, by=by, body=message.strip())
    return problem


# --- linking incidents -----------------------------------------------------------------------------------


@transaction.atomic
def problem_link_incidents(*, problem: Problem, tickets: Sequence[Ticket], by) -> int:
    """Link incidents to the problem (a ticket linked to another problem moves here); each link is a history
    row on the problem and on the ticket. Returns how many were newly linked."""
    _require(by)
    problem = _lock(problem, None)
    if problem.status == ProblemStatus.CLOSED:
        raise ValidationError(
            {"tickets": f"{problem.reference} is closed: link the incidents to an open problem."}
        )
    requests = [t.reference for t in tickets if t.kind != TicketKind.INCIDENT]
    if requests:
        raise ValidationError({"tickets": f"Only incidents link to a problem, not {', '.join(requests)}."})
    now = timezone.now()
    existing = {
        link.ticket_id: link
        for link in IncidentLink.objects.select_related("problem").filter(ticket__in=[t.pk for t in tickets])
    }
    linked = 0
    for ticket in sorted(tickets, key=lambda t: t.pk):
        old = existing.get(ticket.pk)
        if old is not None and old.problem_id == problem.pk:
            continue
        if old is not None:
            _event(
                old.problem,
                ProblemEvent.Kind.UNLINKED,
                by,
                field="incident",
                old=ticket.reference,
                note=f"moved to {problem.reference}",
                at=now,
            )
            old.problem, old.linked_by, old.linked_at = problem, by, now
            old.save(update_fields=["problem", "linked_by", "linked_at"])
        else:
            IncidentLink.objects.create(ticket=ticket, problem=problem, linked_by=by, linked_at=now)
        _event(problem, ProblemEvent.Kind.LINKED, by, field="incident", new=ticket.reference, at=now)
        ticket_problem_recorded(
            ticket=ticket,
            by=by,
            old=old.problem.reference if old else "",
            new=problem.reference,
            note=problem.summary,
        )
        linked += 1
    if linked:
        _save(problem, [])
    return linked


@transaction.atomic
def problem_unlink_incidents(*, problem: Problem, tickets: Sequence[Ticket], by) -> int:
    """Unlink incidents from the problem; each unlink is a history row on both sides."""
    _require(by)
    problem = _lock(problem, None)
    now = timezone.now()
    links = list(
        IncidentLink.objects.filter(problem=problem, ticket__in=[t.pk for t in tickets]).select_related(
            "ticket"
        )
    )
    for link in sorted(links, key=lambda link: link.ticket_id):
        _event(problem, ProblemEvent.Kind.UNLINKED, by, field="incident", old=link.ticket.reference, at=now)
        ticket_problem_recorded(ticket=link.ticket, by=by, old=problem.reference, new="")
        link.delete()
    if links:
        _save(problem, [])
    return len(links)


# --- known errors ----------------------------------------------------------------------------------------


@transaction.atomic
def known_error_apply(*, problem: Problem, ticket: Ticket, by) -> Ticket:
    """Resolve an incident with the known error's workaround in one step: resolution "workaround given",
    the workaround as the resolution note, and the incident linked to the problem."""
    _require(by)
    problem = Problem.objects.get(pk=problem.pk)  # the caller's copy may predate the workaround
    if not problem.known_error:
        raise ValidationError({"problem": f"{problem.reference} has no workaround to apply."})
    if not ticket.is_open:
        raise ValidationError({"ticket": f"{ticket.reference} is not open."})
    problem_link_incidents(problem=problem, tickets=[ticket], by=by)
    _event(problem, ProblemEvent.Kind.WORKAROUND, by, field="incident", new=ticket.reference)
    return ticket_change_status(
        ticket=ticket,
        to=Status.RESOLVED,
        by=by,
        resolution_code=ResolutionCode.WORKAROUND,
        resolution_note=f"{problem.workaround_public or problem.workaround} "
        f"(known error {problem.reference})",
        note=f"workaround of {problem.reference}",
    )


# --- recurrence proposals --------------------------------------------------------------------------------


def recurrence_settings() -> RecurrenceSettings:
    settings_row = RecurrenceSettings.objects.order_by("pk").first()
    return settings_row or RecurrenceSettings.objects.create()


@transaction.atomic
def recurrences_refresh(*, now: datetime | None = None) -> int:
    """The beat task's work: find the recurring incidents (recurrence.recurrences_find) among the recent
    incidents that are linked to no problem and were in no decided proposal, and make the open proposals
    exactly those (a proposal still found keeps its id; one no longer found goes). A fixed number of
    queries whatever the number of tickets. Returns how many proposals are open."""
    now = now or timezone.now()
    rules = recurrence_settings()
    since = now - timedelta(days=rules.lookback_days)
    zone = timezone.get_current_timezone()
    decided = RecurrenceProposal.tickets.through.objects.filter(
        ticket_id=OuterRef("pk"),
        recurrenceproposal__state__in=[ProposalState.DISMISSED, ProposalState.ACCEPTED],
    )
    rows = (
        Ticket.objects.filter(kind=TicketKind.INCIDENT, created_at__gte=since, created_at__lte=now)
        .filter(problem_link__isnull=True)
        .exclude(Exists(decided))
        .values_list("pk", "service_id", "site_id", "asset_id", "created_at")
    )
    points = [
        IncidentPoint(pk, service_id, site_id, asset_id, created_at, created_at.astimezone(zone).date())
        for pk, service_id, site_id, asset_id, created_at in rows.iterator(chunk_size=5000)
    ]
    found = recurrences_find(
        points,
        minimum=rules.minimum_incidents,
        window_days=rules.window_business_days,
        is_working_day=is_working_day,
    )
    wanted = {(r.service_id, r.site_id, r.asset_id, frozenset(r.ticket_ids)): r for r in found}
    open_proposals = list(
        RecurrenceProposal.objects.select_for_update(of=("self",))
        .filter(state=ProposalState.OPEN)
        .prefetch_related(Prefetch("tickets", queryset=Ticket.objects.only("pk")))
    )
    kept, gone = set(), []
    for proposal in open_proposals:
        key = (
            proposal.service_id,
            proposal.site_id,
            proposal.asset_id,
            frozenset(t.pk for t in proposal.tickets.all()),
        )
        if key in wanted and key not in kept:
            kept.add(key)
        else:
            gone.append(proposal.pk)
    if gone:
        RecurrenceProposal.tickets.through.objects.filter(recurrenceproposal_id__in=gone).delete()
        RecurrenceProposal.objects.filter(pk__in=gone).delete()
    new = [(key, r) for key, r in wanted.items() if key not in kept]
    made = RecurrenceProposal.objects.bulk_create(
        [
            RecurrenceProposal(service_id=r.service_id, site_id=r.site_id, asset_id=r.asset_id, found_at=now)
            for _, r in new
        ]
    )
    Through = RecurrenceProposal.tickets.through
    Through.objects.bulk_create(
        [
            Through(recurrenceproposal_id=p.pk, ticket_id=t)
            for p, (_, r) in zip(made, new, strict=True)
            for t in r.ticket_ids
        ],
        batch_size=5000,
    )
    return len(kept) + len(made)


@transaction.atomic
def proposal_accept(*, proposal: RecurrenceProposal, by) -> Problem:
    """One click: a problem on the proposal's service, site and asset, its still-unlinked incidents linked."""
    _require(by)
    proposal = RecurrenceProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.state != ProposalState.OPEN:
        raise ValidationError({"proposal": "This proposal was already decided."})
    tickets = list(proposal.tickets.filter(problem_link__isnull=True).select_related("site", "service"))
    if not tickets:
        raise ValidationError({"proposal": "Its incidents were all linked to problems meanwhile."})
    where = proposal.asset or proposal.site
    service = tickets[0].service
    problem = problem_log(
        by=by,
        summary=f"{service.name} keeps failing at {where}"[:200],
        description=f"Found by the recurrence search: {len(tickets)} incidents on {service.name} at {where}, "
        f"the first “{tickets[0].summary}”.",
        service=proposal.service,
        sites=[proposal.site] if proposal.site else sorted({t.site for t in tickets}, key=lambda s: s.pk),
        assets=[proposal.asset] if proposal.asset else [],
        owner=by if access.may(by, "problem.work") else None,
        tickets=tickets,
    )
    proposal.state, proposal.decided_by, proposal.decided_at = ProposalState.ACCEPTED, by, timezone.now()
    proposal.problem = problem
    proposal.save(update_fields=["state", "decided_by", "decided_at", "problem"])
    return problem


@transaction.atomic
def proposal_dismiss(*, proposal: RecurrenceProposal, by) -> RecurrenceProposal:
    """The ICT manager says it is not one fault: its tickets are never proposed again."""
    _require_manager(by, DISMISS)
    proposal = RecurrenceProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.state != ProposalState.OPEN:
        raise ValidationError({"proposal": "This proposal was already decided."})
    proposal.state, proposal.decided_by, proposal.decided_at = ProposalState.DISMISSED, by, timezone.now()
    proposal.save(update_fields=["state", "decided_by", "decided_at"])
    return proposal


__all__ = [
    "OPEN_PROBLEM_STATUSES",
    "OpenIncidents",
    "ProblemConflict",
    "known_error_apply",
    "problem_change_status",
    "problem_link_incidents",
    "problem_log",
    "problem_unlink_incidents",
    "problem_update",
    "proposal_accept",
    "proposal_dismiss",
]


# --- the improvement register ----------------------------------------------------------------------------


@transaction.atomic
def improvement_raise(
    *,
    by,
    what: str,
    reason: str,
    owner,
    due_on: date,
    problem: Problem | None = None,
    kpi: str = "",
    report_month: date | None = None,
    comment: str = "",
) -> Improvement:
    """A new action in the register, with its reason: a problem, a KPI of a report month, or a ManCo
    comment (its words)."""
    _require_manager(by, IMPROVE)
    errors = {}
    if not what.strip():
        errors["what"] = "Say what will be done."
    if reason == ImprovementReason.PROBLEM and problem is None:
        errors["problem"] = "Name the problem this action answers."
    if reason == ImprovementReason.KPI and not (kpi and report_month):
        errors["kpi"] = "Name the KPI and the report month."
    if reason == ImprovementReason.MANCO and not comment.strip():
        errors["comment"] = "Quote the ManCo comment."
    if reason not in ImprovementReason.values:
        errors["reason"] = "Say why: a problem, a KPI or a ManCo comment."
    if errors:
        raise ValidationError(errors)
    return Improvement.objects.create(
        what=what.strip(),
        reason=reason,
        problem=problem,
        kpi=kpi,
        report_month=report_month.replace(day=1) if report_month else None,
        comment=comment.strip(),
        owner=owner,
        due_on=due_on,
        created_by=by,
        created_at=timezone.now(),
    )


IMPROVEMENT_FIELDS = frozenset({"what", "owner", "due_on", "status", "outcome", "comment"})


@transaction.atomic
def improvement_update(
    *, improvement: Improvement, by, changes: dict[str, Any], expected_version: int | None = None
) -> Improvement:
    """Change an action: its owner, due date, status and outcome. Done needs an outcome."""
    _require_manager(by, IMPROVE)
    unknown = set(changes) - IMPROVEMENT_FIELDS
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be changed here."))
    improvement = Improvement.objects.select_for_update().get(pk=improvement.pk)
    if expected_version is not None and improvement.version != expected_version:
        raise StaleCopy(
            f"{improvement.reference} was changed by someone else a moment ago; nothing was saved.",
            version=improvement.version,
        )
    fields = []
    for name, value in changes.items():
        if getattr(improvement, name) != value:
            setattr(improvement, name, value)
            fields.append(name)
    if improvement.status == ImprovementStatus.DONE and not improvement.outcome.strip():
        raise ValidationError({"outcome": "Say what came of it before marking it done."})
    if "status" in fields:
        improvement.done_at = timezone.now() if improvement.status == ImprovementStatus.DONE else None
        fields.append("done_at")
    if fields:
        improvement.version += 1
        improvement.save(update_fields=[*fields, "version"])
    return improvement
