"""KPI definitions: what each figure counts (FIGURES, one `Q` over Ticket each, so the tickets behind a
number are the number's own definition), the headline figures, the breakdown dimensions and the
dashboard's scope. docs/kpis.md writes every formula down; change both together."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.lookups import In

from catalogue.models import Priority, SupportGroup, TicketKind
from incidents.models import OPEN_STATUSES, Channel, ResolutionCode, Ticket, TicketEvent
from sites.models import Site, Town
from slas.models import ClockKind, ClockState, SlaClock
from slas.outcomes import clock_breached_q, clock_late_q, clock_met_q

from ..periods import Period

TOP_SERVICES = 10
OLDEST_OPEN = 10
ANNEX_LIMIT = 1000
HOUR = 3600


# --- scope --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The dashboard's filters: a town, a site and/or a support group (the ticket's current group)."""

    town: str = ""
    site_id: int | None = None
    group_id: int | None = None

    def tickets(self, queryset: QuerySet, via: str = "") -> QuerySet:
        """Narrow a queryset of tickets (via="") or of rows that point at a ticket (via="ticket__")."""
        filters: dict[str, object] = {}
        if self.town:
            filters[f"{via}site__town"] = self.town
        if self.site_id:
            filters[f"{via}site_id"] = self.site_id
        if self.group_id:
            filters[f"{via}group_id"] = self.group_id
        return queryset.filter(**filters)

    @property
    def key(self) -> str:
        """The scope as a short text (stored month figures are kept per scope)."""
        return f"town={self.town}|site={self.site_id or ''}|group={self.group_id or ''}"

    @classmethod
    def from_key(cls, key: str) -> Scope:
        """The scope a `key` was made from (a stored row names its scope by its key)."""
        parts = dict(part.split("=", 1) for part in key.split("|"))
        return cls(
            town=parts.get("town", ""),
            site_id=int(parts["site"]) if parts.get("site") else None,
            group_id=int(parts["group"]) if parts.get("group") else None,
        )

    def as_params(self) -> dict[str, str]:
        params = {"town": self.town, "site": self.site_id or "", "group": self.group_id or ""}
        return {name: str(value) for name, value in params.items() if value}

    def describe(self) -> dict:
        site = (
            Site.objects.filter(pk=self.site_id).values_list("name", flat=True).first()
            if self.site_id
            else ""
        )
        group = (
            SupportGroup.objects.filter(pk=self.group_id).values_list("name", flat=True).first()
            if self.group_id
            else ""
        )
        words = [part for part in (self.town, site, group) if part]
        return {
            "town": self.town,
            "site": self.site_id,
            "site_name": site or "",
            "group": self.group_id,
            "group_name": group or "",
            "words": ", ".join(words) or "All towns, sites and groups",
        }


ALL = Scope()


# --- ticket figures: one Q each, over Ticket ----------------------------------------------------------------

NOT_WITHDRAWN = ~Q(resolution_code=ResolutionCode.WITHDRAWN)


def _during(field: str, period: Period) -> Q:
    return Q(**{f"{field}__gte": period.start, f"{field}__lt": period.end})


def logged_q(period: Period) -> Q:
    return _during("created_at", period)


def resolved_q(period: Period) -> Q:
    """Resolved in the period (the latest resolution), not counting withdrawn tickets."""
    return _during("resolved_at", period) & NOT_WITHDRAWN


def closed_q(period: Period) -> Q:
    return _during("closed_at", period)


def withdrawn_q(period: Period) -> Q:
    return _during("closed_at", period) & Q(resolution_code=ResolutionCode.WITHDRAWN)


def status_at(at: datetime) -> Subquery:
    """A ticket's status just before `at`, from its history (the last status event before it)."""
    return Subquery(
        TicketEvent.objects.filter(
            ticket_id=OuterRef("pk"),
            kind__in=(TicketEvent.Kind.LOGGED, TicketEvent.Kind.STATUS),
            at__lt=at,
        )
        .order_by("-at", "-pk")
        .values("new_value")[:1]
    )


def open_at_q(at: datetime) -> Q:
    """Open at the instant `at` (the backlog then).

    A ticket never reopened was open from logging until its resolution (or withdrawal), so its columns
    answer exactly. A reopened ticket open at `at` also has no resolution before it that still stands
    (`resolved_at` holds the latest and a reopen clears it) and no close before it (closed is final), so
    the same columns rule most reopened tickets out cheaply; only the rest have their history read.
    """
    not_done_by_then = (Q(resolved_at__isnull=True) | Q(resolved_at__gte=at)) & (
        Q(closed_at__isnull=True) | Q(closed_at__gte=at)
    )
    open_in_history = Q(In(status_at(at), [str(status) for status in OPEN_STATUSES]))
    return Q(created_at__lt=at) & not_done_by_then & (Q(reopen_count=0) | open_in_history)


def overdue_at_q(at: datetime, clock: str = "") -> Q:
    """Open at `at` and past its resolution target then (slas.outcomes: late by `at`): the breached part
    of the backlog. The resolution clock is looked up with EXISTS, or read through `clock`, the name of
    a join the caller made (_with_resolution_clock): the same rule in either shape."""
    if clock:
        return open_at_q(at) & clock_late_q(at, via=f"{clock}__")
    late = SlaClock.objects.filter(ticket_id=OuterRef("pk"), kind=ClockKind.RESOLUTION).filter(
        clock_late_q(at)
    )
    return open_at_q(at) & Q(Exists(late))


def _clocks_stopped(kind: str, period: Period, via: str = "") -> Q:
    """On SlaClock (via="") or through a ticket's clocks: the `kind` clock stopped in the period."""
    return Q(
        **{
            f"{via}kind": kind,
            f"{via}state": ClockState.STOPPED,
            f"{via}stopped_at__gte": period.start,
            f"{via}stopped_at__lt": period.end,
        }
    )


def clock_q(kind: str, period: Period, met: bool | None = None) -> Q:
    """On Ticket: its `kind` clock stopped in the period (met: within target; False: breached)."""
    clocks = SlaClock.objects.filter(_clocks_stopped(kind, period), ticket_id=OuterRef("pk"))
    if met is not None:
        clocks = clocks.filter(clock_met_q() if met else clock_breached_q())
    return Q(Exists(clocks)) & NOT_WITHDRAWN


def measured_q(period: Period) -> Q:
    """Resolved in the period with a stopped resolution clock: the tickets behind the resolution times."""
    stopped = SlaClock.objects.filter(
        ticket_id=OuterRef("pk"), kind=ClockKind.RESOLUTION, state=ClockState.STOPPED
    )
    return resolved_q(period) & Q(Exists(stopped))


def major_q(period: Period) -> Q:
    """Major incidents that were open at some time in the period."""
    return (
        Q(is_major=True, created_at__lt=period.end)
        & (Q(resolved_at__isnull=True) | Q(resolved_at__gte=period.start))
        & NOT_WITHDRAWN
    )


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    q: Callable[[Period], Q]


FIGURES: dict[str, Figure] = {
    figure.key: figure
    for figure in (
        Figure("logged", "Logged in the period", logged_q),
        Figure("resolved", "Resolved in the period", resolved_q),
        Figure("closed", "Closed in the period", closed_q),
        Figure("withdrawn", "Withdrawn by the requester in the period", withdrawn_q),
        Figure("backlog", "Open at the end of the period", lambda p: open_at_q(p.end)),
        Figure(
            "overdue",
            "Open at the end of the period and past the resolution target",
            lambda p: overdue_at_q(p.end),
        ),
        Figure(
            "response_stopped",
            "Response clock stopped in the period",
            lambda p: clock_q(ClockKind.RESPONSE, p),
        ),
        Figure("response_met", "Responded to within target", lambda p: clock_q(ClockKind.RESPONSE, p, True)),
        Figure(
            "response_breached", "Response target breached", lambda p: clock_q(ClockKind.RESPONSE, p, False)
        ),
        Figure(
            "resolution_stopped",
            "Resolution clock stopped in the period",
            lambda p: clock_q(ClockKind.RESOLUTION, p),
        ),
        Figure("resolution_met", "Resolved within target", lambda p: clock_q(ClockKind.RESOLUTION, p, True)),
        Figure(
            "resolution_breached",
            "Resolution target breached",
            lambda p: clock_q(ClockKind.RESOLUTION, p, False),
        ),
        Figure("measured", "Resolved in the period, with a resolution time", measured_q),
        Figure(
            "incidents_measured",
            "Incidents resolved in the period, with a resolution time",
            lambda p: measured_q(p) & Q(kind=TicketKind.INCIDENT),
        ),
        Figure("first_contact", "Resolved at first contact", lambda p: resolved_q(p) & Q(first_contact=True)),
        Figure(
            "reopened",
            "Resolved in the period after being reopened",
            lambda p: resolved_q(p) & Q(reopen_count__gt=0),
        ),
        Figure(
            "handed_over",
            "Resolved in the period after a handover",
            lambda p: resolved_q(p) & Q(handovers__gt=0),
        ),
        Figure(
            "rated",
            "Resolved in the period and rated by the requester",
            lambda p: resolved_q(p) & Q(rating__isnull=False),
        ),
        Figure("satisfied", "Rated 4 or 5", lambda p: resolved_q(p) & Q(rating__score__gte=4)),
        Figure("major", "Major incidents open during the period", major_q),
    )
}


def tickets_behind(
    figure: str, period: Period, scope: Scope = ALL, tickets: QuerySet | None = None
) -> QuerySet:
    """The tickets a figure counts (KeyError for an unknown figure); `tickets` is the caller's scope,
    e.g. incidents.permissions.visible_tickets(user)."""
    base = Ticket.objects.all() if tickets is None else tickets
    return scope.tickets(base).filter(FIGURES[figure].q(period))


# --- headline figures ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    key: str
    label: str
    unit: str  # count, percent, hours, score, ratio, rand
    better: str  # "up", "down" or "" (neither is better)
    figure: str  # the FIGURES key of the tickets behind it
    help: str


HEADLINES: tuple[Headline, ...] = (
    Headline("logged", "Tickets logged", "count", "", "logged", "Incidents and service requests logged."),
    Headline(
        "resolved", "Tickets resolved", "count", "up", "resolved", "Resolved (withdrawn ones left out)."
    ),
    Headline(
        "closed",
        "Tickets closed",
        "count",
        "up",
        "closed",
        "Closed, by the requester, the desk or automatically.",
    ),
    Headline(
        "backlog", "Backlog at the end", "count", "down", "backlog", "Tickets open at the end of the period."
    ),
    Headline(
        "overdue",
        "Overdue in the backlog",
        "count",
        "down",
        "overdue",
        "Open tickets past their resolution target.",
    ),
    Headline(
        "response_compliance",
        "Response SLA met",
        "percent",
        "up",
        "response_stopped",
        "Share of response clocks that stopped within target.",
    ),
    Headline(
        "resolution_compliance",
        "Resolution SLA met",
        "percent",
        "up",
        "resolution_stopped",
        "Share of resolution clocks that stopped within target.",
    ),
    Headline(
        "mean_resolution_hours",
        "Mean resolution time",
        "hours",
        "down",
        "measured",
        "Business hours from logging to resolution, pauses left out.",
    ),
    Headline(
        "median_resolution_hours",
        "Median resolution time",
        "hours",
        "down",
        "measured",
        "Half the tickets were resolved faster than this.",
    ),
    Headline(
        "mttr_hours",
        "MTTR (incidents)",
        "hours",
        "down",
        "incidents_measured",
        "Mean business hours to restore service, incidents only.",
    ),
    Headline(
        "first_contact_rate",
        "First-contact resolution",
        "percent",
        "up",
        "first_contact",
        "Resolved at the first contact, of all resolved.",
    ),
    Headline(
        "reopen_rate",
        "Reopen rate",
        "percent",
        "down",
        "reopened",
        "Resolved tickets that had been reopened.",
    ),
    Headline(
        "handovers_per_ticket",
        "Handovers per ticket",
        "ratio",
        "down",
        "handed_over",
        "Moves to another person or group, per resolved ticket.",
    ),
    Headline(
        "satisfaction_mean",
        "Satisfaction (1-5)",
        "score",
        "up",
        "rated",
        "Mean rating of resolved tickets that were rated.",
    ),
    Headline(
        "satisfaction_response_rate",
        "Rating response rate",
        "percent",
        "up",
        "rated",
        "Resolved tickets whose requester rated them.",
    ),
    Headline(
        "satisfaction_share_4_5",
        "Rated 4 or 5",
        "percent",
        "up",
        "satisfied",
        "Share of ratings that were 4 or 5.",
    ),
    Headline(
        "cost_per_ticket",
        "Cost per ticket (R)",
        "rand",
        "down",
        "resolved",
        "Technician time costed, per resolved ticket.",
    ),
)
HEADLINE_BY_KEY = {headline.key: headline for headline in HEADLINES}

# How each figure is counted, in plain words for a council reader: the PDF's Annex B and the XLSX's
# "Definitions" sheet print these beside the tickets each figure counts (FIGURES), so the pack carries
# its own definitions. Change a figure's counting and its words here together.
COUNTING_RULES: tuple[tuple[str, str], ...] = (
    (
        "The month",
        "From midnight at the start of the 1st to midnight at the start of the next month's 1st, South "
        "African time. Each figure is compared with the whole month before.",
    ),
    (
        "Business hours",
        "Times are counted in the service desk's working hours: Monday to Friday, 08:00 to 16:30, "
        "public holidays and days the desk is closed left out. Time a ticket waits on the requester or "
        "on a supplier is not counted: the clock stands still.",
    ),
    (
        "Targets (SLA)",
        "Each ticket has two targets set by its priority in the service level agreement: a first "
        "response and a fix (resolution). A target is met when the work was done before the target "
        "time, breached when it was done after it.",
    ),
    (
        "Withdrawn tickets",
        "Tickets the requester withdrew before they were fixed count as logged and closed, never as "
        "resolved, and are left out of the targets and the times.",
    ),
    (
        "Reopened tickets",
        "A ticket resolved, reopened and resolved again counts once, in the month it was last "
        "resolved; its resolution time is all the business time it was open.",
    ),
    (
        "Empty figures",
        'A figure with nothing to count (no ticket rated, no target measured) shows "-", never 0. '
        "Percentages are rounded to one decimal place, hours to two.",
    ),
)

DEFINITIONS: dict[str, str] = {
    "logged": "Every incident and service request logged in the month, by any channel.",
    "resolved": "Tickets resolved in the month, by their last resolution. Withdrawn tickets are not counted.",
    "closed": "Tickets closed in the month: confirmed by the requester, closed by the desk, or closed "
    "automatically after the waiting time. Withdrawn tickets are included.",
    "backlog": "Tickets still open at midnight at the end of the month: logged before then and not yet "
    "resolved or closed (new, assigned, in progress, waiting or reopened).",
    "overdue": "Of the tickets open at the end of the month, those whose fix target had already passed "
    "by then.",
    "response_compliance": "Of the first-response targets measured in the month (the response was made "
    "in the month), the share met. Tickets still waiting for a response are not in it; they show as "
    "overdue.",
    "resolution_compliance": "Of the fix targets measured in the month (the ticket was resolved in the "
    "month), the share met.",
    "mean_resolution_hours": "The average business hours from logging to resolution of the tickets "
    "resolved in the month, time waiting on the requester or a supplier left out.",
    "median_resolution_hours": "The middle value of the same resolution times: half the tickets were "
    "resolved faster than this, half slower. Unlike the average, one very old ticket does not move it.",
    "mttr_hours": "Mean time to restore service: the average resolution time of incidents (faults) "
    "only, service requests left out.",
    "first_contact_rate": "Of the tickets resolved in the month, the share the technician resolved at "
    "the first contact, without passing them on or calling back. A reopened ticket does not count as "
    "resolved at first contact.",
    "reopen_rate": "Of the tickets resolved in the month, the share that had been reopened at least once "
    "because the fix did not hold.",
    "handovers_per_ticket": "Moves of a ticket to another technician or support group after it was first "
    "assigned, per ticket resolved in the month.",
    "satisfaction_mean": "The average rating, from 1 (very poor) to 5 (very good), that requesters gave "
    "the tickets resolved in the month, whenever they rated them.",
    "satisfaction_response_rate": "Of the tickets resolved in the month, the share whose requester "
    "rated the service.",
    "satisfaction_share_4_5": "Of the ratings given, the share that were 4 or 5.",
    "cost_per_ticket": "The desk's cost for the month (technicians x business hours in the month x the "
    "cost of a technician-hour set by the ICT Manager) divided by the tickets resolved.",
}

TABLE_DEFINITIONS: tuple[tuple[str, str], ...] = (
    (
        "By town, site, service, priority, channel, kind",
        "Per value: tickets logged in the month, resolved in the month and open at its end, counted as "
        "the headline figures are. The priority is the ticket's current one.",
    ),
    (
        "Service levels per priority, site, support group",
        "The response and fix targets measured in the month, as for the headline figures, per the "
        "ticket's priority, site and current support group.",
    ),
    (
        "Support groups (OLAs) and suppliers (contracts)",
        "Apart from the SLA: what each support group and supplier promised the service desk for the "
        "time it held a ticket, counted in its own working hours (a 24-hour contract counts nights). "
        "In time = the holdings that ended in the month within their target; mean time held = the "
        "average business hours of those holdings; overdue at end = holdings past their target and "
        "not ended at the month's end.",
    ),
    (
        "Technicians",
        "Per technician holding the ticket: tickets resolved in the month, open at its end, resolved "
        "at first contact, and the fix targets measured in the month that were met. The person who "
        "has a ticket when it is resolved is credited with it.",
    ),
    (
        "Major incidents",
        "Tickets marked major that were open at some time in the month, with the number of tickets "
        "linked to each and its resolution time.",
    ),
    (
        "Oldest open tickets",
        "The ten tickets open longest at the end of the month, with their age in calendar days.",
    ),
    (
        "Annex A: breached tickets",
        "Tickets whose response or fix was made in the month after its target, and tickets still open "
        "past their fix target at the month's end.",
    ),
)


def headline_rows(report: dict) -> list[dict]:
    """Each headline figure with its label, unit, previous value and change, in HEADLINES order."""
    rows = []
    for headline in HEADLINES:
        if headline.key == "cost_per_ticket" and not report.get("cost_basis", {}).get("configured"):
            continue
        rows.append(
            {
                "key": headline.key,
                "label": headline.label,
                "unit": headline.unit,
                "help": headline.help,
                "figure": headline.figure,
                "value": report["headline"][headline.key],
                "previous": report["previous"][headline.key],
                "change": report["changes"][headline.key],
            }
        )
    return rows


def definition_rows(report: dict) -> list[dict]:
    """Each headline figure of the report with how it is counted (DEFINITIONS) and the tickets it
    counts (its FIGURES entry: the same list the dashboard opens), for Annex B and the XLSX."""
    return [
        {
            "key": row["key"],
            "label": row["label"],
            "definition": DEFINITIONS[row["key"]],
            "tickets": FIGURES[row["figure"]].label,
        }
        for row in headline_rows(report)
    ]


# The executive summary's five (PDF cover page, XLSX summary).
EXECUTIVE_FIVE = (
    "logged",
    "resolution_compliance",
    "mean_resolution_hours",
    "first_contact_rate",
    "satisfaction_mean",
)


# --- breakdown dimensions -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dimension:
    key: str
    label: str
    value: str  # the grouped column
    name: str | None  # a column holding its display name, or None to use `choices`
    choices: dict | None
    param: str  # the ticket list's filter for one row


def _short(label: str) -> str:
    return str(label).split(" (")[0].split(":")[0]


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("town", "Town", "site__town", None, {t.value: t.label for t in Town}, "town"),
    Dimension("site", "Site", "site_id", "site__name", None, "site"),
    Dimension(
        "category", "Service category", "service__category_id", "service__category__name", None, "category"
    ),
    Dimension("service", "Service", "service_id", "service__name", None, "service"),
    Dimension("priority", "Priority", "priority", None, {p.value: p.label for p in Priority}, "priority"),
    Dimension("channel", "Channel", "channel", None, {c.value: c.label for c in Channel}, "channel"),
    Dimension("kind", "Kind", "kind", None, {k.value: _short(k.label) for k in TicketKind}, "kind"),
)
