"""KPI aggregates: the FIGURES definitions counted in SQL, per period, in a fixed number of queries
(conditional aggregates, medians, the cells of the grouped counts), and the headline figures made of
them (period_figures)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Case,
    Count,
    F,
    FilteredRelation,
    FloatField,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber

from catalogue.models import TicketKind
from common import access
from incidents.models import ResolutionCode, Ticket
from slas.business_time import business_between
from slas.calendars import calendar_spec
from slas.models import ClockKind, ClockState, ServiceLevelAgreement, SlaClock
from slas.outcomes import clock_met_q

from .. import stored_months
from ..models import ReportSettings
from ..periods import Period
from .definitions import (
    ALL,
    DIMENSIONS,
    FIGURES,
    HEADLINE_BY_KEY,
    HOUR,
    Dimension,
    Scope,
    _clocks_stopped,
    overdue_at_q,
    resolved_q,
)

# --- the median: percentile_cont on PostgreSQL, a window in SQL elsewhere -----------------------------------


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


# --- figures per period -------------------------------------------------------------------------------------


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


# --- headline figures of periods ----------------------------------------------------------------------------


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


# --- breakdown and compliance cells -------------------------------------------------------------------------


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
