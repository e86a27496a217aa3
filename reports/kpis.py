"""KPI definitions: the one place each figure of the dashboard, the PDF, the XLSX and the API is defined.

Every figure is a SQL aggregate over tickets (incidents.Ticket) or their SLA clocks (slas.SlaClock); none
loops over tickets in Python. A figure that counts tickets is defined by a `Q` over Ticket (FIGURES), so
the list of tickets behind a number on the dashboard is the same definition as the number itself.
docs/kpis.md writes every formula down; change both together.

Counting rules worth knowing (docs/kpis.md has them all):
- a period is [start, end) in South African time (reports.periods);
- "resolved" leaves out tickets the requester withdrew (they were never resolved by the desk);
- a ticket resolved, reopened and resolved again counts once, in the month of its last resolution;
- SLA compliance counts the clocks that stopped in the period; met means it stopped before its target;
- the backlog at an instant is what was open then, worked out from the ticket's status history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    Avg,
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.db.models.lookups import In
from django.utils import timezone

from catalogue.models import Priority, SupportGroup, TicketKind
from common import access
from incidents.models import OPEN_STATUSES, Channel, ResolutionCode, Ticket, TicketEvent
from sites.models import Site, Town
from slas.business_time import business_between
from slas.calendars import calendar_spec
from slas.models import ClockKind, ClockState, OperationalClock, ServiceLevelAgreement, SlaClock
from slas.outcomes import clock_breached_q, clock_late_q, clock_met_q

from . import stored_months
from .models import ReportSettings
from .periods import Period, comparable_previous, trend_periods

TOP_SERVICES = 10
OLDEST_OPEN = 10
ANNEX_LIMIT = 1000
HOUR = 3600


# --- scope ----------------------------------------------------------------------------------------------


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


# --- ticket figures: one Q each, over Ticket -------------------------------------------------------------

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


# --- the median: percentile_cont on PostgreSQL, a window in SQL elsewhere --------------------------------


class Median(Aggregate):
    """PostgreSQL's exact median (the mean of the two middle values when the count is even)."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def medians(
    queryset: QuerySet,
    field: str,
    buckets: dict[int, Q],
    *,
    separate: Iterable[int] = (),
    force_window: bool = False,
) -> dict[int, float | None]:
    """The median of `field` over the rows of each bucket (index -> Q); None for an empty bucket.

    PostgreSQL: one aggregate, PERCENTILE_CONT(0.5) per bucket. Elsewhere (SQLite), in SQL too:
    ROW_NUMBER() and COUNT(*) over a window partitioned by bucket keep only the one or two middle rows of
    each bucket, and their mean is the median. A row belongs to one partition only, so buckets that
    overlap others (`separate`: the comparable part of last month) get a query of their own.
    """
    if not buckets:
        return {}
    if connection.vendor == "postgresql" and not force_window:
        row = queryset.aggregate(**{f"m{index}": Median(field, filter=q) for index, q in buckets.items()})
        return {index: row[f"m{index}"] for index in buckets}
    separate = set(separate)
    batches = [{i: q for i, q in buckets.items() if i not in separate}]
    batches += [{i: buckets[i]} for i in sorted(separate & set(buckets))]
    result: dict[int, float | None] = dict.fromkeys(buckets)
    for batch in filter(None, batches):
        bucket = Case(*(When(q, then=Value(i)) for i, q in batch.items()), output_field=IntegerField())
        middle = (
            queryset.filter(_any(batch.values()))
            .annotate(bucket=bucket)
            .annotate(
                position=Window(
                    RowNumber(), partition_by=[F("bucket")], order_by=[F(field).asc(), F("pk").asc()]
                ),
                size=Window(Count("pk"), partition_by=[F("bucket")]),
            )
            .filter(position__gte=(F("size") + 1) / 2, position__lte=(F("size") + 2) / 2)
            .values_list("bucket", field)
        )
        middles: dict[int, list[float]] = {}
        for index, value in middle:  # at most two rows per bucket
            middles.setdefault(index, []).append(float(value))
        for index, values in middles.items():
            result[index] = sum(values) / len(values)
    return result


def _any(qs: Iterable[Q]) -> Q:
    combined = Q(pk__in=[])
    for q in qs:
        combined |= q
    return combined


# --- figures per period ---------------------------------------------------------------------------------


def _pct(part: int | None, whole: int | None) -> float | None:
    return round(100.0 * (part or 0) / whole, 1) if whole else None


def _hours(seconds) -> float | None:
    return None if seconds is None else round(float(seconds) / HOUR, 2)


def _relevant(periods: list[Period]) -> Q:
    """Tickets that can count in any of the periods: logged before the last end and still open, or
    logged, resolved or closed after the first start. Narrows the scan; every figure filters exactly."""
    low, high = min(p.start for p in periods), max(p.end for p in periods)
    return Q(created_at__lt=high) & (
        Q(created_at__gte=low) | Q(resolved_at__isnull=True) | Q(resolved_at__gte=low) | Q(closed_at__gte=low)
    )


# The ticket's resolution clock joined in (at most one: slas' sla_clock_one_per_kind), for the overdue
# count of the period counts: a LEFT JOIN read once instead of an EXISTS per period, which PostgreSQL ran
# as a scan of every clock per period (0.1 s of the dashboard's 0.3 s count at 100,000 tickets).
_RESOLUTION_CLOCK = "resolution_clock"


def _with_resolution_clock(tickets: QuerySet) -> QuerySet:
    return tickets.alias(
        **{
            _RESOLUTION_CLOCK: FilteredRelation(
                "sla_clocks", condition=Q(sla_clocks__kind=ClockKind.RESOLUTION)
            )
        }
    )


# The ticket counts that are FIGURES counted as they stand (the rest are sums over resolved tickets).
_COUNTED_FIGURES = (
    "logged",
    "resolved",
    "closed",
    "withdrawn",
    "backlog",
    "first_contact",
    "reopened",
    "rated",
    "satisfied",
    "major",
)


def _count_aggregates(period: Period) -> dict:
    """The ticket counts of one period, each a conditional aggregate over a FIGURES definition
    (summable over cells: the mean rating is kept as its sum and the count of rated tickets). Over
    tickets _with_resolution_clock: overdue is overdue_at_q read through the joined clock."""
    resolved = resolved_q(period)
    return {
        **{name: Count("pk", filter=FIGURES[name].q(period)) for name in _COUNTED_FIGURES},
        "overdue": Count("pk", filter=overdue_at_q(period.end, clock=_RESOLUTION_CLOCK)),
        "handovers": Sum("handovers", filter=resolved),
        "score_sum": Sum("rating__score", filter=resolved),
    }


_TICKET_COUNT_NAMES = (
    "logged",
    "resolved",
    "closed",
    "withdrawn",
    "backlog",
    "overdue",
    "first_contact",
    "reopened",
    "handovers",
    "rated",
    "satisfied",
    "score_sum",
    "major",
)
_BREAKDOWN_NAMES = ("logged", "resolved", "backlog")


def _ticket_cells(
    periods: list[Period],
    scope: Scope,
    dimensions: Iterable[Dimension] = (),
    names: Iterable[str] = _TICKET_COUNT_NAMES,
) -> list[dict]:
    """One query: the ticket counts `names` of every period (`name_index` columns), over the tickets
    that can count in any of them; grouped into cells by the dimensions' columns, or one row.

    Grouped by the ticket's own columns only (site_id, service_id, priority...): a column reached
    through a relation (the site's town and name, the service's category) is the same for every row of
    its group, so it is read with MAX() rather than grouped by. The sort behind the GROUP BY stays narrow
    (with the names in its key it spilled to disk at 100,000 tickets)."""
    names = tuple(names)
    aggregates = {}
    for i, period in enumerate(periods):
        aggregates |= {
            f"{name}_{i}": aggregate for name, aggregate in _count_aggregates(period).items() if name in names
        }
    tickets = scope.tickets(Ticket.objects.all()).filter(_relevant(periods))
    if "overdue" in names:
        tickets = _with_resolution_clock(tickets)
    dimensions = tuple(dimensions)
    if not dimensions:
        return [tickets.aggregate(**aggregates)]
    columns = list(
        dict.fromkeys(column for d in dimensions for column in (d.value, d.name) if column is not None)
    )
    grouped = list(dict.fromkeys(_own_column(column) for column in columns))
    carried = {f"carried_{i}": column for i, column in enumerate(columns) if column not in grouped}
    cells = list(
        tickets.values(*grouped)
        .annotate(**aggregates, **{alias: Max(column) for alias, column in carried.items()})
        .order_by()
    )
    for cell in cells:
        for alias, column in carried.items():
            cell[column] = cell.pop(alias)
    return cells


def _own_column(column: str) -> str:
    """The ticket's column a (possibly related) column depends on: site__town -> site_id."""
    relation, _, rest = column.partition("__")
    return f"{relation}_id" if rest else column


def _period_counts(cells: list[dict], count: int) -> list[dict]:
    """Each period's ticket counts: the sums of the cells (whole numbers, so exactly the one-row
    aggregate's answer), the mean rating from its sum and the number rated."""
    result = []
    for i in range(count):
        counts = {}
        for name in _TICKET_COUNT_NAMES:
            column = f"{name}_{i}"  # once per column, not once per cell (3,000 cells at 100,000 tickets)
            counts[name] = sum(cell[column] or 0 for cell in cells)
        rated = counts["rated"]
        counts["score"] = Decimal(counts.pop("score_sum")) / rated if rated else None
        result.append(counts)
    return result


def _ticket_counts(periods: list[Period], scope: Scope) -> list[dict]:
    """One query: the ticket counts of every period (conditional aggregates, one column each)."""
    return _period_counts(_ticket_cells(periods, scope), len(periods))


def _not_withdrawn_clocks(clocks: QuerySet) -> QuerySet:
    """Clocks of tickets not withdrawn. The few withdrawn tickets' ids are looked up once (a hashed
    subplan) rather than every clock's ticket joined in."""
    withdrawn = Ticket.objects.filter(resolution_code=ResolutionCode.WITHDRAWN).values("pk")
    return clocks.exclude(ticket_id__in=withdrawn)


def _stopped_clocks(periods: list[Period], scope: Scope) -> QuerySet:
    """The clocks that stopped in any of the periods, of tickets not withdrawn. The withdrawn test reads
    the ticket's column through the join the scope and the tables need anyway (a NOT IN of the
    withdrawn tickets' ids cost a scan of every ticket per query)."""
    low, high = min(p.start for p in periods), max(p.end for p in periods)
    return (
        scope.tickets(SlaClock.objects.all(), via="ticket__")
        .filter(state=ClockState.STOPPED, stopped_at__gte=low, stopped_at__lt=high)
        .exclude(ticket__resolution_code=ResolutionCode.WITHDRAWN)
    )


def _timed(period: Period) -> Q:
    """On SlaClock: the resolution clocks of tickets resolved in the period."""
    return Q(
        kind=ClockKind.RESOLUTION,
        state=ClockState.STOPPED,
        ticket__resolved_at__gte=period.start,
        ticket__resolved_at__lt=period.end,
    )


def _time_aggregates(periods: list[Period]) -> dict:
    """Per period i: the resolution clocks timed in it (tickets resolved then), their mean, and the
    incidents' mean (MTTR), as aggregates over SlaClock; the median is added by _timed_row_figures."""
    aggregates = {}
    for i, period in enumerate(periods):
        timed = _timed(period)
        incidents = timed & Q(ticket__kind=TicketKind.INCIDENT)
        aggregates |= {
            f"timed_{i}": Count("pk", filter=timed),
            f"mean_{i}": Avg("elapsed_seconds", filter=timed),
            f"incidents_{i}": Count("pk", filter=incidents),
            f"mttr_{i}": Avg("elapsed_seconds", filter=incidents),
        }
    return aggregates


def _timed_row_figures(
    clocks: QuerySet, aggregates: dict, periods: list[Period], comparable: int | None
) -> tuple[dict, list[dict]]:
    """Run the aggregates over the clocks with each period's median of the business time to resolve
    (PERCENTILE_CONT in the same query on PostgreSQL, else the window query of `medians`). Returns the
    row and, per period, timed, mean, median, incidents and MTTR."""
    buckets = {i: _timed(period) for i, period in enumerate(periods)}
    if connection.vendor == "postgresql":
        aggregates = aggregates | {
            f"median_{i}": Median("elapsed_seconds", filter=q) for i, q in buckets.items()
        }
        row = clocks.aggregate(**aggregates)
        middle = {i: row[f"median_{i}"] for i in buckets}
    else:
        row = clocks.aggregate(**aggregates)
        separate = [] if comparable is None else [comparable]
        middle = medians(clocks, "elapsed_seconds", buckets, separate=separate)
    times = [
        {
            "timed": row[f"timed_{i}"],
            "mean": row[f"mean_{i}"],
            "median": middle[i],
            "incidents": row[f"incidents_{i}"],
            "mttr": row[f"mttr_{i}"],
        }
        for i in range(len(periods))
    ]
    return row, times


def _clock_figures(periods: list[Period], scope: Scope, comparable: int | None) -> list[dict]:
    """One query over the stopped clocks of tickets not withdrawn, per period: the response and
    resolution clocks that stopped in it and how many met their target (compliance), and the mean,
    median and MTTR (incidents) of the business time to resolve the tickets resolved in it (their
    stopped resolution clocks). Plus the median's window query on databases without PERCENTILE_CONT."""
    low, high = min(p.start for p in periods), max(p.end for p in periods)
    clocks = (
        scope.tickets(SlaClock.objects.all(), via="ticket__")
        .filter(state=ClockState.STOPPED)
        .filter(
            Q(stopped_at__gte=low, stopped_at__lt=high)
            | Q(kind=ClockKind.RESOLUTION, ticket__resolved_at__gte=low, ticket__resolved_at__lt=high)
        )
        .exclude(ticket__resolution_code=ResolutionCode.WITHDRAWN)
    )
    aggregates = _time_aggregates(periods)
    for i, period in enumerate(periods):
        for kind in ClockKind.values:
            stopped = _clocks_stopped(kind, period)
            aggregates[f"{kind}_total_{i}"] = Count("pk", filter=stopped)
            aggregates[f"{kind}_met_{i}"] = Count("pk", filter=stopped & clock_met_q())
    row, times = _timed_row_figures(clocks, aggregates, periods, comparable)
    names = [f"{kind}_{part}" for kind in ClockKind.values for part in ("total", "met")]
    return [{name: row[f"{name}_{i}"] for name in names} | times[i] for i in range(len(periods))]


def _resolution_times(periods: list[Period], scope: Scope, comparable: int | None) -> list[dict]:
    """Mean, median and MTTR (incidents) of the business time to resolve, per period: one aggregate
    query, plus the median's window query on databases without PERCENTILE_CONT. Driven by the tickets
    resolved in the periods (the resolved_at index), each joined to its one resolution clock."""
    low, high = min(p.start for p in periods), max(p.end for p in periods)
    clocks = (
        scope.tickets(SlaClock.objects.all(), via="ticket__")
        .filter(kind=ClockKind.RESOLUTION, state=ClockState.STOPPED)
        .filter(ticket__resolved_at__gte=low, ticket__resolved_at__lt=high)
        .exclude(ticket__resolution_code=ResolutionCode.WITHDRAWN)
    )
    return _timed_row_figures(clocks, _time_aggregates(periods), periods, comparable)[1]


def technician_count() -> int:
    return (
        get_user_model()
        .objects.filter(groups__name=access.TECHNICIAN, is_active=True)
        .values("pk")
        .distinct()
        .count()
    )


def _costs(periods: list[Period], resolved: list[int]) -> tuple[list[float | None], dict]:
    """Cost per ticket = technicians x business hours in the period x cost per hour / tickets resolved."""
    report_settings = ReportSettings.load()
    rate = report_settings.cost_per_technician_hour
    if rate is None:
        return [None] * len(periods), {"configured": False}
    technicians = report_settings.technicians
    if technicians is None:
        technicians = technician_count()
    calendar_id = (
        ServiceLevelAgreement.objects.filter(is_default=True).values_list("calendar_id", flat=True).first()
    )
    spec = calendar_spec(calendar_id) if calendar_id else None
    costs = []
    for period, count in zip(periods, resolved, strict=True):
        hours = (
            Decimal(business_between(spec, period.start, period.end).total_seconds()) / HOUR if spec else 0
        )
        costs.append(round(float(technicians * hours * rate / count), 2) if count else None)
    return costs, {
        "configured": True,
        "cost_per_technician_hour": float(rate),
        "technicians": technicians,
    }


# --- headline figures -----------------------------------------------------------------------------------


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


def _headline(counts: dict, clocks: dict, times: dict, cost: float | None) -> dict:
    resolved = counts["resolved"]
    return {
        "logged": counts["logged"],
        "resolved": resolved,
        "closed": counts["closed"],
        "backlog": counts["backlog"],
        "overdue": counts["overdue"],
        "response_compliance": _pct(clocks["response_met"], clocks["response_total"]),
        "resolution_compliance": _pct(clocks["resolution_met"], clocks["resolution_total"]),
        "mean_resolution_hours": _hours(times["mean"]),
        "median_resolution_hours": _hours(times["median"]),
        "mttr_hours": _hours(times["mttr"]),
        "first_contact_rate": _pct(counts["first_contact"], resolved),
        "reopen_rate": _pct(counts["reopened"], resolved),
        "handovers_per_ticket": round((counts["handovers"] or 0) / resolved, 2) if resolved else None,
        "satisfaction_mean": None if counts["score"] is None else round(float(counts["score"]), 2),
        "satisfaction_response_rate": _pct(counts["rated"], resolved),
        "satisfaction_share_4_5": _pct(counts["satisfied"], counts["rated"]),
        "cost_per_ticket": cost,
    }


def _details(counts: dict, clocks: dict, times: dict) -> dict:
    """The numbers each headline percentage or mean is made of (shown in tables and the API)."""
    return {
        "withdrawn": counts["withdrawn"],
        "major_incidents": counts["major"],
        "response_met": clocks["response_met"],
        "response_measured": clocks["response_total"],
        "resolution_met": clocks["resolution_met"],
        "resolution_measured": clocks["resolution_total"],
        "resolution_times_measured": times["timed"],
        "incidents_measured": times["incidents"],
        "first_contact": counts["first_contact"],
        "reopened": counts["reopened"],
        "handovers": counts["handovers"] or 0,
        "rated": counts["rated"],
        "rated_4_5": counts["satisfied"],
    }


def period_figures(
    periods: list[Period], scope: Scope = ALL, comparable: int | None = None, *, stored: bool = False
) -> tuple[list[dict], dict]:
    """The headline figures of each period and the basis of the cost per ticket, in a fixed number of
    queries however many periods and tickets. `comparable` is the index of a period that overlaps
    another one (see medians).

    stored=True (the dashboard and the KPI API, never the monthly report build): the figures of whole
    months that have ended are read from reports.stored_months when they were counted less than its TTL
    ago (one query), and the ones counted here are kept there; the rest are counted live."""
    figures, cost_basis, _extras = _figures(periods, scope, comparable, stored=stored)
    return figures, cost_basis


# Up to this many periods counted live (the dashboard's month so far and the same stretch of the month
# before), the tickets are counted in the breakdowns' GROUP BY and the period counts are its cells'
# sums: one pass over the tickets (and over the reopened ones' history) instead of two. With more (a
# report build: six months) the cells would carry six times the columns; two queries are cheaper then.
_COUNTED_WITH_BREAKDOWNS = 2


def _figures(
    periods: list[Period],
    scope: Scope,
    comparable: int | None,
    *,
    stored: bool,
    breakdown_of: int | None = None,
) -> tuple[list[dict], dict, dict]:
    """period_figures, and what came with the counting for period `breakdown_of` (its "breakdowns" and
    SLA "compliance" cells, when they did)."""
    kept: dict[int, dict] = {}
    if stored:
        ended = {period.month: i for i, period in enumerate(periods) if stored_months.storable(period)}
        kept = {ended[month]: figures for month, figures in stored_months.read(ended, scope.key).items()}
    live = [i for i in range(len(periods)) if i not in kept]
    counted, cost_basis, extras = _count_figures(
        [periods[i] for i in live],
        scope,
        live.index(comparable) if comparable in live else None,
        live.index(breakdown_of) if breakdown_of in live else None,
    )
    by_index = dict(zip(live, counted, strict=True))
    if stored:
        stored_months.write(
            {periods[i].month: by_index[i] for i in live if stored_months.storable(periods[i])}, scope.key
        )
    return [kept.get(i) or by_index[i] for i in range(len(periods))], cost_basis, extras


def _count_figures(
    periods: list[Period], scope: Scope, comparable: int | None, breakdown_of: int | None
) -> tuple[list[dict], dict, dict]:
    if not periods:
        return [], _costs([], [])[1], {}
    extras = {}
    if breakdown_of is not None and len(periods) <= _COUNTED_WITH_BREAKDOWNS:
        cells = _ticket_cells(periods, scope, DIMENSIONS)
        extras["breakdowns"] = {d.key: _breakdown_rows(d, cells, breakdown_of) for d in DIMENSIONS}
        counts = _period_counts(cells, len(periods))
        clock_cells = _compliance_cells(periods, scope)
        extras["compliance"] = _period_compliance_cells(clock_cells, breakdown_of)
        times = _resolution_times(periods, scope, comparable)
        clocks = [
            totals | timed
            for totals, timed in zip(_compliance_totals(clock_cells, len(periods)), times, strict=True)
        ]
    else:
        counts = _ticket_counts(periods, scope)
        clocks = _clock_figures(periods, scope, comparable)
    costs, cost_basis = _costs(periods, [c["resolved"] for c in counts])
    figures = [
        {"headline": _headline(c, k, k, cost), "details": _details(c, k, k)}
        for c, k, cost in zip(counts, clocks, costs, strict=True)
    ]
    return figures, cost_basis, extras


def change(key: str, value, previous) -> dict:
    """A figure's change from the comparable period: the difference (points for percentages), the
    relative change for counts, and whether it moved the good way."""
    headline = HEADLINE_BY_KEY[key]
    if value is None or previous is None:
        return {"difference": None, "relative": None, "direction": "", "good": None}
    difference = round(value - previous, 2)
    relative = round(100.0 * difference / previous, 1) if headline.unit == "count" and previous else None
    direction = "up" if difference > 0 else "down" if difference < 0 else "same"
    good = None if not headline.better or direction == "same" else direction == headline.better
    return {"difference": difference, "relative": relative, "direction": direction, "good": good}


# --- breakdowns -----------------------------------------------------------------------------------------


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


def _breakdown_rows(dimension: Dimension, cells: list[dict], index: int = 0) -> list[dict]:
    """One dimension's rows for the period `index` of the cells, summed from the cells of the grouped
    query (a handful of numbers per cell, a few thousand cells at most: the counting itself was done by
    the database)."""
    rows: dict = {}
    columns = [(name, f"{name}_{index}") for name in _BREAKDOWN_NAMES]
    for cell in cells:
        key = cell[dimension.value]
        row = rows.get(key)
        if row is None:
            label = cell[dimension.name] if dimension.name else dimension.choices.get(key, "")
            row = rows[key] = {"key": key, "label": label, "logged": 0, "resolved": 0, "backlog": 0}
        for name, column in columns:
            row[name] += cell[column]
    result = [row for row in rows.values() if row["logged"] or row["resolved"] or row["backlog"]]
    if dimension.key == "priority":
        return sorted(result, key=lambda row: row["key"])
    return sorted(result, key=lambda row: (-row["logged"], -row["backlog"], str(row["label"])))


def breakdowns(period: Period, scope: Scope = ALL, dimensions: Iterable[Dimension] = ()) -> dict:
    """Tickets logged, resolved and open at the end, per value of each dimension (all of DIMENSIONS by
    default): one GROUP BY over the combinations of every dimension's column, each dimension's rows the
    sums of its cells. One pass over the tickets instead of one per dimension."""
    dimensions = tuple(dimensions) or DIMENSIONS
    cells = _ticket_cells([period], scope, dimensions, _BREAKDOWN_NAMES)
    return {dimension.key: _breakdown_rows(dimension, cells) for dimension in dimensions}


def breakdown(dimension: Dimension, period: Period, scope: Scope = ALL) -> list[dict]:
    """Tickets logged, resolved and open at the end, per value of one dimension."""
    return breakdowns(period, scope, [dimension])[dimension.key]


# The columns SLA compliance is broken down by: the clock's priority, the ticket's site, current group
# and current assignee (the SLA tables and the technicians' table).
_COMPLIANCE_COLUMNS = (
    "priority",
    "ticket__site_id",
    "ticket__site__name",
    "ticket__group_id",
    "ticket__group__name",
    "ticket__assignee_id",
)
_COMPLIANCE_COUNTS = ("response_total", "response_met", "resolution_total", "resolution_met")


def compliance_cells(period: Period, scope: Scope = ALL) -> list[dict]:
    """One GROUP BY over the clocks that stopped in the period: per combination of priority, site,
    group and assignee, how many stopped and how many within target. Each SLA table adds its cells up."""
    return _period_compliance_cells(_compliance_cells([period], scope), 0)


def _compliance_cells(periods: list[Period], scope: Scope) -> list[dict]:
    """compliance_cells for several periods in one GROUP BY (`name_index` columns per period)."""
    aggregates = {}
    for i, period in enumerate(periods):
        for kind in ClockKind.values:
            stopped = _clocks_stopped(kind, period)
            aggregates[f"{kind}_total_{i}"] = Count("pk", filter=stopped)
            aggregates[f"{kind}_met_{i}"] = Count("pk", filter=stopped & clock_met_q())
    clocks = _stopped_clocks(periods, scope)
    return list(clocks.values(*_COMPLIANCE_COLUMNS).annotate(**aggregates).order_by())


def _period_compliance_cells(cells: list[dict], index: int) -> list[dict]:
    """The cells of period `index` under compliance_cells' names, leaving out cells with no clock that
    stopped in that period."""
    result = []
    for cell in cells:
        counts = {name: cell[f"{name}_{index}"] for name in _COMPLIANCE_COUNTS}
        if counts["response_total"] or counts["resolution_total"]:
            result.append({column: cell[column] for column in _COMPLIANCE_COLUMNS} | counts)
    return result


def _compliance_totals(cells: list[dict], count: int) -> list[dict]:
    """Each period's clocks stopped and met, the sums of the cells."""
    return [
        {name: sum(cell[f"{name}_{i}"] for cell in cells) for name in _COMPLIANCE_COUNTS}
        for i in range(count)
    ]


def _compliance_rows(group_by: list[str], cells: list[dict]) -> list[dict]:
    """The cells added up per value of `group_by` (a few hundred cells at most, never a clock)."""
    rows: dict = {}
    for cell in cells:
        key = tuple(cell[column] for column in group_by)
        row = rows.get(key)
        if row is None:
            row = rows[key] = {column: cell[column] for column in group_by} | dict.fromkeys(
                _COMPLIANCE_COUNTS, 0
            )
        for name in _COMPLIANCE_COUNTS:
            row[name] += cell[name]
    return [
        {
            **row,
            "response_compliance": _pct(row["response_met"], row["response_total"]),
            "resolution_compliance": _pct(row["resolution_met"], row["resolution_total"]),
        }
        for row in rows.values()
    ]


def _keyed(row: dict, key: str, label) -> dict:
    rest = {name: value for name, value in row.items() if not name.startswith(("ticket__", "priority"))}
    return {"key": row[key], "label": label, **rest}


def sla_breakdowns(period: Period, scope: Scope = ALL, cells: list[dict] | None = None) -> dict:
    """SLA compliance per priority (the clock's), per site and per support group, from
    compliance_cells (one query, or none when the caller has the cells)."""
    cells = compliance_cells(period, scope) if cells is None else cells
    by_priority = [
        _keyed(row, "priority", Priority(row["priority"]).label)
        for row in _compliance_rows(["priority"], cells)
    ]
    by_site = [
        _keyed(row, "ticket__site_id", row["ticket__site__name"])
        for row in _compliance_rows(["ticket__site_id", "ticket__site__name"], cells)
    ]
    by_group = [
        _keyed(row, "ticket__group_id", row["ticket__group__name"] or "No group")
        for row in _compliance_rows(["ticket__group_id", "ticket__group__name"], cells)
    ]
    return {
        "by_priority": sorted(by_priority, key=lambda row: row["key"]),
        "by_site": sorted(by_site, key=lambda row: str(row["label"])),
        "by_group": sorted(by_group, key=lambda row: str(row["label"])),
    }


def operational_compliance(period: Period, scope: Scope = ALL) -> list[dict]:
    """Per OLA and underpinning contract, apart from the SLA (docs/kpis.md): the holdings whose clock
    stopped in the period and how many within target, the mean time held to resolution or hand-over, and
    the clocks overdue at the period's end. One query."""
    clocks = _not_withdrawn_clocks(scope.tickets(OperationalClock.objects.all(), via="ticket__"))
    stopped = Q(state=ClockState.STOPPED, stopped_at__gte=period.start, stopped_at__lt=period.end)
    aggregates = {}
    for kind in ClockKind.values:
        aggregates[f"{kind}_total"] = Count("pk", filter=stopped & Q(kind=kind))
        aggregates[f"{kind}_met"] = Count("pk", filter=stopped & Q(kind=kind) & clock_met_q())
    aggregates["resolution_mean_seconds"] = Avg(
        "elapsed_seconds", filter=stopped & Q(kind=ClockKind.RESOLUTION)
    )
    aggregates["overdue_at_end"] = Count(
        "pk",
        filter=Q(held_from__lt=period.end)
        & (Q(stopped_at__isnull=True) | Q(stopped_at__gte=period.end))
        & clock_late_q(period.end),
    )
    rows = (
        clocks.values(
            "agreement_id",
            "agreement__name",
            "agreement__kind",
            "agreement__group__name",
            "agreement__supplier__name",
        )
        .annotate(**aggregates)
        .order_by("agreement__kind", "agreement__name")
    )
    return [
        {
            "key": row["agreement_id"],
            "label": row["agreement__name"],
            "kind": row["agreement__kind"].upper(),
            "held_by": row["agreement__group__name"] or row["agreement__supplier__name"] or "",
            "response_total": row["response_total"],
            "response_met": row["response_met"],
            "response_compliance": _pct(row["response_met"], row["response_total"]),
            "resolution_total": row["resolution_total"],
            "resolution_met": row["resolution_met"],
            "resolution_compliance": _pct(row["resolution_met"], row["resolution_total"]),
            "resolution_mean_hours": _hours(row["resolution_mean_seconds"]),
            "overdue_at_end": row["overdue_at_end"],
        }
        for row in rows
        if row["response_total"] or row["resolution_total"] or row["overdue_at_end"]
    ]


def technicians(period: Period, scope: Scope = ALL, cells: list[dict] | None = None) -> list[dict]:
    """Per technician (the ticket's current assignee): tickets resolved in the period, tickets open at
    its end, resolved at first contact, and the compliance of the resolution clocks that stopped in it.
    Two queries (one when the caller has the compliance cells), joined by person."""
    cells = compliance_cells(period, scope) if cells is None else cells
    workload = (
        scope.tickets(Ticket.objects.all())
        .filter(_relevant([period]), assignee__isnull=False)
        .values("assignee_id", "assignee__first_name", "assignee__last_name", "assignee__username")
        .annotate(
            resolved=Count("pk", filter=resolved_q(period)),
            backlog=Count("pk", filter=open_at_q(period.end)),
            first_contact=Count("pk", filter=resolved_q(period) & Q(first_contact=True)),
        )
        .filter(Q(resolved__gt=0) | Q(backlog__gt=0))
        .order_by()
    )
    clocks = {
        row["ticket__assignee_id"]: row
        for row in _compliance_rows(["ticket__assignee_id"], cells)
        if row["ticket__assignee_id"] is not None
    }
    rows = []
    for row in workload:
        name = (
            f"{row['assignee__first_name']} {row['assignee__last_name']}".strip() or row["assignee__username"]
        )
        clock = clocks.get(row["assignee_id"], {})
        rows.append(
            {
                "key": row["assignee_id"],
                "label": name,
                "resolved": row["resolved"],
                "backlog": row["backlog"],
                "first_contact": row["first_contact"],
                "resolution_measured": clock.get("resolution_total", 0),
                "resolution_met": clock.get("resolution_met", 0),
                "resolution_compliance": clock.get("resolution_compliance"),
                "response_measured": clock.get("response_total", 0),
                "response_compliance": clock.get("response_compliance"),
            }
        )
    return sorted(rows, key=lambda row: (-row["resolved"], -row["backlog"], row["label"]))


def _ticket_row(ticket: Ticket, at: datetime) -> dict:
    return {
        "id": ticket.pk,
        "reference": ticket.reference,
        "summary": ticket.summary,
        "kind": ticket.kind,
        "priority": ticket.priority,
        "status": ticket.get_status_display(),
        "site": ticket.site.name,
        "town": ticket.site.town,
        "service": ticket.service.name,
        "group": ticket.group.name if ticket.group_id else "",
        "assignee": (ticket.assignee.get_full_name() or ticket.assignee.username)
        if ticket.assignee_id
        else "",
        "created_at": ticket.created_at.isoformat(),
        "resolved_at": ticket.resolved_at.isoformat() if ticket.resolved_at else None,
        "age_days": round((at - ticket.created_at).total_seconds() / 86400, 1),
    }


def _listed(tickets: QuerySet) -> QuerySet:
    return tickets.select_related("site", "service", "group", "assignee")


def oldest_open(period: Period, scope: Scope = ALL, limit: int = OLDEST_OPEN) -> list[dict]:
    """The tickets open longest at the end of the period (their age then, in calendar days)."""
    tickets = _listed(scope.tickets(Ticket.objects.all()).filter(open_at_q(period.end)))
    return [_ticket_row(t, period.end) for t in tickets.order_by("created_at", "pk")[:limit]]


def _resolution_clock(column: str) -> Subquery:
    return Subquery(
        SlaClock.objects.filter(ticket_id=OuterRef("pk"), kind=ClockKind.RESOLUTION).values(column)[:1]
    )


def major_incidents(period: Period, scope: Scope = ALL) -> list[dict]:
    """Major incidents open at some time in the period, with how many tickets were linked to each."""
    tickets = (
        _listed(scope.tickets(Ticket.objects.all()).filter(major_q(period)))
        .annotate(
            linked=Count("children", distinct=True),
            resolution_seconds=_resolution_clock("elapsed_seconds"),
            resolution_breached=_resolution_clock("breached_at"),
        )
        .order_by("created_at", "pk")
    )
    return [
        {
            **_ticket_row(t, period.end),
            "linked_tickets": t.linked,
            "resolution_hours": _hours(t.resolution_seconds) if t.resolved_at else None,
            "breached": t.resolution_breached is not None,
        }
        for t in tickets
    ]


def breached_tickets(period: Period, scope: Scope = ALL, limit: int = ANNEX_LIMIT) -> dict:
    """The report's annex: tickets whose response or resolution target was breached on a clock that
    stopped in the period, and open tickets overdue at its end."""
    response_late = FIGURES["response_breached"].q(period)
    resolution_late = FIGURES["resolution_breached"].q(period)
    overdue = FIGURES["overdue"].q(period)
    tickets = (
        _listed(scope.tickets(Ticket.objects.all()).filter(_relevant([period])))
        .filter(response_late | resolution_late | overdue)
        .annotate(
            response_late=Case(When(response_late, then=Value(True)), default=Value(False)),
            resolution_late=Case(When(resolution_late, then=Value(True)), default=Value(False)),
            overdue=Case(When(overdue, then=Value(True)), default=Value(False)),
            resolution_seconds=_resolution_clock("elapsed_seconds"),
            target_minutes=_resolution_clock("target_minutes"),
        )
        .order_by("priority", "created_at", "pk")
    )
    rows = [
        {
            **_ticket_row(t, period.end),
            "response_breached": bool(t.response_late),
            "resolution_breached": bool(t.resolution_late),
            "overdue": bool(t.overdue),
            "resolution_hours": _hours(t.resolution_seconds),
            "target_hours": None if t.target_minutes is None else round(t.target_minutes / 60, 2),
        }
        for t in tickets[: limit + 1]
    ]
    return {"rows": rows[:limit], "truncated": len(rows) > limit}


# --- the whole month ------------------------------------------------------------------------------------


@contextmanager
def _without_jit():
    """PostgreSQL JIT-compiles a query it estimates to be costly. These aggregates carry hundreds of
    expressions: with 10,000 tickets the compiling took 3 s for a query that then ran in 0.1 s. JIT is
    turned off for the report's own transaction only (SET LOCAL)."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


def month_report(
    period: Period,
    scope: Scope = ALL,
    *,
    include_annex: bool = False,
    now: datetime | None = None,
    stored: bool = False,
    recount: bool = False,
) -> dict:
    """Every KPI of the period as plain JSON-ready data: what the dashboard shows, the API returns and a
    report run stores as its snapshot. A fixed number of queries whatever the number of tickets.

    stored=True serves the period's report as counted at most a TTL ago (reports.stored_months: a month
    so far for REPORTS_LIVE_SECONDS, an ended month for REPORTS_STORED_MONTH_SECONDS), or counts it,
    with the trend's ended months from the stored figures, and keeps it; recount=True counts and keeps
    it whatever is stored (beat's refresh). The dashboard and the API ask for stored=True; the monthly
    report build does not (always counted)."""
    keep = stored and not include_annex and now is None
    if keep and not recount:
        kept = stored_months.report_read(period, scope.key)
        if kept is not None:
            return kept
    with _without_jit():
        report = _month_report(period, scope, include_annex=include_annex, now=now, stored=stored)
    if keep:
        stored_months.report_write(period, scope.key, report)
    return report


def _month_report(
    period: Period, scope: Scope, *, include_annex: bool, now: datetime | None, stored: bool
) -> dict:
    previous = comparable_previous(period)
    trend = trend_periods(period)
    periods = list(trend)
    comparable = None
    if previous == trend[-2]:
        previous_index = len(trend) - 2
    else:  # a month so far: compared with the same stretch of the month before
        comparable = previous_index = len(periods)
        periods.append(previous)
    figures, cost_basis, extras = _figures(
        periods, scope, comparable, stored=stored, breakdown_of=len(trend) - 1
    )
    current, before = figures[len(trend) - 1], figures[previous_index]
    by_dimension = extras.get("breakdowns")
    if by_dimension is None:
        by_dimension = breakdowns(period, scope)
    compliance = extras.get("compliance")
    if compliance is None:
        compliance = compliance_cells(period, scope)
    report = {
        "organisation": settings.ORGANISATION_NAME,
        "period": period.as_dict(),
        "previous_period": previous.as_dict(),
        "scope": scope.describe(),
        "generated_at": (now or timezone.now()).isoformat(),
        "headline": current["headline"],
        "details": current["details"],
        "previous": before["headline"],
        "changes": {
            key: change(key, current["headline"][key], before["headline"][key]) for key in current["headline"]
        },
        "trend": {
            "months": [p.key for p in trend],
            "labels": [p.short_label for p in trend],
            **{key: [f["headline"][key] for f in figures[: len(trend)]] for key in current["headline"]},
        },
        "breakdowns": by_dimension,
        "top_services": [row for row in by_dimension["service"] if row["logged"]][:TOP_SERVICES],
        "sla": sla_breakdowns(period, scope, compliance),
        "operational": operational_compliance(period, scope),
        "technicians": technicians(period, scope, compliance),
        "oldest_open": oldest_open(period, scope),
        "major_incidents": major_incidents(period, scope),
        "cost_basis": cost_basis,
    }
    if include_annex:
        report["breached"] = breached_tickets(period, scope)
    return report
