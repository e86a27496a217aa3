"""The reads of problem management: lists, a problem's page, the known errors that fit a ticket, the
proposals. Each answers in a fixed number of queries, whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from incidents.models import OPEN_STATUSES, Ticket
from slas.business_time import business_between
from slas.calendars import desk_calendar_spec, is_working_day

from .models import (
    OPEN_IMPROVEMENT_STATUSES,
    OPEN_PROBLEM_STATUSES,
    Improvement,
    IncidentLink,
    Problem,
    ProblemEvent,
    ProposalState,
    RecurrenceProposal,
)
from .recurrence import working_day_numbers


def problem_list() -> QuerySet[Problem]:
    """Problems for the list and the API: service, owner and the incident count joined in one query."""
    return (
        Problem.objects.select_related("service", "owner", "group")
        .annotate(incident_count=Count("incident_links", distinct=True))
        .order_by("priority", "-created_at", "-id")
    )


def problem_for_page(pk: int) -> Problem:
    return (
        Problem.objects.select_related("service", "owner", "group", "created_by")
        .prefetch_related("sites", "assets")
        .annotate(incident_count=Count("incident_links", distinct=True))
        .get(pk=pk)
    )


def problem_incidents(problem: Problem) -> QuerySet[Ticket]:
    """The problem's incidents, newest first, with what the problem page shows of each."""
    return (
        Ticket.objects.filter(problem_link__problem=problem)
        .select_related("site", "asset", "service")
        .only(
            "pk",
            "kind",
            "summary",
            "status",
            "priority",
            "created_at",
            "resolved_at",
            "site__name",
            "site__town",
            "asset__asset_tag",
            "service__name",
        )
        .order_by("-created_at", "-pk")
    )


def problem_history(problem: Problem) -> QuerySet[ProblemEvent]:
    return ProblemEvent.objects.filter(problem=problem).select_related("actor").order_by("-at", "-id")


@dataclass(frozen=True)
class BusinessCost:
    incidents: int
    open_incidents: int
    business_time: timedelta  # working time from logged to resolved (or now), summed


def business_time_of(ticket_created: datetime, resolved: datetime | None, now: datetime) -> timedelta:
    """Working time an incident was open (the desk's calendar; all time with no calendar)."""
    spec = desk_calendar_spec()
    end = resolved or now
    return (
        business_between(spec, ticket_created, end)
        if spec is not None
        else max(end - ticket_created, timedelta())
    )


def problem_cost(problem: Problem, *, now: datetime | None = None) -> BusinessCost:
    """How much working time the problem's incidents cost: one query (two columns a row) whatever their
    number; the working time is slas' arithmetic (business_between), summed here."""
    now = now or timezone.now()
    rows = list(
        Ticket.objects.filter(problem_link__problem=problem).values_list(
            "created_at", "resolved_at", "status"
        )
    )
    total = sum((business_time_of(created, resolved, now) for created, resolved, _ in rows), timedelta())
    still_open = sum(1 for *_, status in rows if status in OPEN_STATUSES)
    return BusinessCost(incidents=len(rows), open_incidents=still_open, business_time=total)


def _known_error_q(ticket: Ticket) -> Q:
    where = Q(service_id=ticket.service_id) | Q(sites__id=ticket.site_id)
    if ticket.asset_id:
        where |= Q(assets__id=ticket.asset_id)
    return where & Q(status__in=OPEN_PROBLEM_STATUSES) & ~Q(workaround="")


def known_errors_for(ticket: Ticket, limit: int = 3) -> list[Problem]:
    """Open problems with a workaround on the ticket's service, site or asset: the hint on the ticket
    page, highest priority and newest known error first."""
    return list(
        Problem.objects.filter(pk__in=Problem.objects.filter(_known_error_q(ticket)).values("pk")).order_by(
            "priority", "-known_error_at", "-id"
        )[:limit]
    )


def ticket_problems(ticket: Ticket, limit: int = 3) -> tuple[Problem | None, list[Problem]]:
    """The ticket page's panel in one query: the problem the ticket is linked to, or else the known errors
    that fit it (known_errors_for's rule; none for a ticket that is no longer open)."""
    linked = Exists(IncidentLink.objects.filter(ticket_id=ticket.pk, problem=OuterRef("pk")))
    wanted = Q(incident_links__ticket_id=ticket.pk)
    if ticket.is_open:
        wanted |= _known_error_q(ticket)
    rows: list[Problem] = list(
        Problem.objects.filter(pk__in=Problem.objects.filter(wanted).values("pk"))
        .annotate(linked=linked)
        .order_by("-linked", "priority", "-known_error_at", "-id")[: limit + 1]
    )
    if rows and getattr(rows[0], "linked", False):
        return rows[0], []
    return None, rows[:limit]


def public_workarounds(service_id: int, limit: int = 3) -> list[tuple[str, str]]:
    """(summary, staff's part of the workaround) of the known errors on a service: what a member of staff
    may see while logging a ticket (the knowledge issue, 19, will show it; no problem record is shown)."""
    return list(
        Problem.objects.filter(service_id=service_id, status__in=OPEN_PROBLEM_STATUSES)
        .exclude(workaround_public="")
        .order_by("priority", "-id")
        .values_list("summary", "workaround_public")[:limit]
    )


def open_proposals() -> QuerySet[RecurrenceProposal]:
    return (
        RecurrenceProposal.objects.filter(state=ProposalState.OPEN)
        .select_related("service", "site", "asset")
        .order_by("-found_at", "-id")
    )


@dataclass(frozen=True)
class ProposalEvidence:
    proposal: RecurrenceProposal
    tickets: list[Ticket]
    intervals: list[int]  # working days between each ticket and the next


def proposals_with_evidence(limit: int = 10) -> list[ProposalEvidence]:
    """The open proposals and their tickets (two queries), with the working days between the tickets."""
    proposals = list(open_proposals()[:limit])
    if not proposals:
        return []
    through = RecurrenceProposal.tickets.through.objects.filter(
        recurrenceproposal_id__in=[p.pk for p in proposals]
    ).select_related("ticket", "ticket__site")
    by_proposal: dict[int, list[Ticket]] = {p.pk: [] for p in proposals}
    for row in through:
        by_proposal[row.recurrenceproposal_id].append(row.ticket)
    zone = timezone.get_current_timezone()
    out = []
    for proposal in proposals:
        tickets = sorted(by_proposal[proposal.pk], key=lambda t: (t.created_at, t.pk))
        days = [t.created_at.astimezone(zone).date() for t in tickets]
        numbers = working_day_numbers(min(days), max(days), is_working_day) if days else {}
        intervals = [numbers[b] - numbers[a] for a, b in pairwise(days)]
        out.append(ProposalEvidence(proposal, tickets, intervals))
    return out


# --- the improvement register ----------------------------------------------------------------------------


def improvement_overdue_q(today: date) -> Q:
    """The one rule for an overdue action: still planned or in progress after its due date."""
    return Q(status__in=OPEN_IMPROVEMENT_STATUSES, due_on__lt=today)


def improvement_list() -> QuerySet[Improvement]:
    return Improvement.objects.select_related("owner", "problem").order_by("due_on", "id")


def dashboard_counts(today: date) -> dict[str, int]:
    """The dashboard's two figures, in one query each: open problems and overdue improvement actions."""
    return {
        "open_problems": Problem.objects.filter(status__in=OPEN_PROBLEM_STATUSES).count(),
        "overdue_improvements": Improvement.objects.filter(improvement_overdue_q(today)).count(),
    }


def month_section(start: datetime, end: datetime, *, top: int = 5) -> dict:
    """The ManCo report's "Problems and improvements" for the period [start, end): problems opened and
    resolved, incidents linked to problems (logged in the period), the top recurring faults (problems by
    their incidents logged in the period), and the improvement actions due in the period, done and
    overdue at its end. Five queries, whatever the number of rows."""
    return _month_section(start, end, top=top, today=None)[0]


def month_section_and_dashboard_counts(
    start: datetime, end: datetime, *, today: date, top: int = 5
) -> tuple[dict, dict[str, int]]:
    """month_section and dashboard_counts(today) together in month_section's five queries: today's two
    figures are counted in the same aggregates over problems and improvements."""
    section, counts = _month_section(start, end, top=top, today=today)
    return section, counts or {}


def _month_section(
    start: datetime, end: datetime, *, top: int, today: date | None
) -> tuple[dict, dict[str, int] | None]:
    in_period = Q(created_at__gte=start, created_at__lt=end)
    today_problems = {}
    if today is not None:
        today_problems["open_problems"] = Count("pk", filter=Q(status__in=OPEN_PROBLEM_STATUSES))
    problems = Problem.objects.aggregate(
        opened=Count("pk", filter=in_period),
        resolved=Count("pk", filter=Q(resolved_at__gte=start, resolved_at__lt=end)),
        **today_problems,
    )
    opened, resolved = problems["opened"], problems["resolved"]
    linked = Ticket.objects.filter(in_period, problem_link__isnull=False).count()
    faults = (
        Problem.objects.annotate(
            incidents=Count(
                "incident_links",
                filter=Q(
                    incident_links__ticket__created_at__gte=start, incident_links__ticket__created_at__lt=end
                ),
            )
        )
        .filter(incidents__gt=0)
        .select_related("service")
        .order_by("-incidents", "priority", "id")[:top]
    )
    last_day = (end - timedelta(microseconds=1)).astimezone(timezone.get_current_timezone()).date()
    first_day = start.astimezone(timezone.get_current_timezone()).date()
    today_improvements = {}
    if today is not None:
        today_improvements["overdue_today"] = Count("id", filter=improvement_overdue_q(today))
    improvements = Improvement.objects.aggregate(
        **today_improvements,
        due=Count("id", filter=Q(due_on__gte=first_day, due_on__lte=last_day)),
        done=Count("id", filter=Q(done_at__gte=start, done_at__lt=end)),
        overdue=Count(
            "id",
            filter=Q(due_on__lt=last_day, created_at__lt=end) & ~Q(done_at__lt=end) & ~Q(status="cancelled"),
        ),
    )
    actions = list(
        improvement_list().filter(
            Q(due_on__gte=first_day, due_on__lte=last_day)
            | Q(done_at__gte=start, done_at__lt=end)
            | Q(status__in=OPEN_IMPROVEMENT_STATUSES, due_on__lt=last_day, created_at__lt=end)
        )[:20]
    )
    counts = None
    if today is not None:
        counts = {
            "open_problems": problems["open_problems"],
            "overdue_improvements": improvements.pop("overdue_today"),
        }
    section = {
        "opened": opened,
        "resolved": resolved,
        "linked_incidents": linked,
        "top_faults": [
            {
                "reference": p.reference,
                "summary": p.summary,
                "service": p.service.name,
                "status": p.get_status_display(),
                "root_cause_category": p.get_root_cause_category_display() if p.root_cause_category else "",
                "incidents": p.incidents,
            }
            for p in faults
        ],
        "improvements": improvements,
        "actions": [
            {
                "reference": a.reference,
                "what": a.what,
                "owner": str(a.owner),
                "due_on": a.due_on.isoformat(),
                "status": a.get_status_display(),
                "overdue": a.status in OPEN_IMPROVEMENT_STATUSES and a.due_on < last_day,
                "outcome": a.outcome,
            }
            for a in actions
        ],
    }
    return section, counts
