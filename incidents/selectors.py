"""Every read of the incidents app, for pages, API and exports alike: the requester's list, the
technicians' queues, one ticket with its parts, and the small reads the ticket pages need (pick-lists, a
rating link's ticket, a major incident's children, saved filters). Services change state; what only
reads lives here.

Every list of tickets starts from permissions.visible_tickets, so no page, API or export can widen the
scope.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, F, FilteredRelation, Min, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from sites.models import Asset
from slas.business_time import business_add
from slas.calendars import calendar_spec
from slas.models import ClockKind, ServiceLevelAgreement, SlaClock
from slas.outcomes import clock_outcome_case

from . import ticket_extensions
from .models import OPEN_STATUSES, Attachment, Comment, SavedFilter, Ticket, TicketEvent, pk_from_reference
from .permissions import SUPPORT_ROLES, for_audience, visible_comments, visible_tickets

# "Breaching soon": not yet overdue, due within this much business time (in each SLA's own calendar, so a
# ticket due at 08:30 on Monday is breaching soon at 16:00 on Friday).
BREACHING_SOON = timedelta(hours=2)

QUEUES = {
    "unassigned": "Unassigned in my groups",
    "mine": "Mine",
    "groups": "My groups'",
    "breaching": "Breaching soon",
    "overdue": "Overdue",
    "open": "All open",
    "all": "All tickets",
}
# The queues that list open and closed tickets alike; the others list open tickets unless the status filter
# or a search asks for others (work_queue).
ANY_STATUS_QUEUES = frozenset({"all"})


def nearest_due():
    """The nearer of a ticket's two running deadlines (the response's while nobody has answered, the
    fix's), NULL when neither runs (paused, stopped, no SLA). A ticket is overdue when it is before now:
    the due columns are the running SLA clocks' due times (service_levels.ticket_clocks_refresh), so this
    is slas.outcomes' "late" for running clocks. Written so that SQLite's LEAST (NULL if any argument
    is) agrees with PostgreSQL's; the index ticket_open_due_idx is on this very expression."""
    return Least(
        Coalesce("response_due_at", "resolution_due_at"), Coalesce("resolution_due_at", "response_due_at")
    )


def _list_related(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return tickets.select_related("service", "site", "assignee", "group", "requester")


# What a queue row shows (work_queue.html, ticket_tags.working_on and queue_due): the page's 25 tickets
# are read with these columns only: every column of six tables (descriptions, password hashes) costs
# PostgreSQL planning time and Django 150 model instances per page (docs/performance.md).
QUEUE_ROW_COLUMNS = (
    "kind",
    "summary",
    "status",
    "priority",
    "is_major",
    "resolution_due_at",
    "response_due_at",
    "sla__calendar",
    "site__name",
    "site__town",
    "service__name",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
    "group__name",
)


def queue_rows(tickets: QuerySet[Ticket], *, now=None) -> QuerySet[Ticket]:
    """The queue page's tickets with only what a row shows (its site, service, assignee and group), and
    its resolution clock's state and outcome (slas.outcomes), read through one LEFT JOIN: the due column
    says "paused" because the clock is paused, not because of the ticket's status."""
    return (
        tickets.select_related(None)
        .select_related("site", "service", "assignee", "group", "sla")
        .only(*QUEUE_ROW_COLUMNS)
        .alias(
            resolution_clock=FilteredRelation(
                "sla_clocks", condition=Q(sla_clocks__kind=ClockKind.RESOLUTION)
            )
        )
        .annotate(
            resolution_clock_state=F("resolution_clock__state"),
            resolution_outcome=clock_outcome_case(now, via="resolution_clock__"),
        )
    )


def queue_order(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Highest priority first, then the nearest due time (tickets without one last), then the oldest."""
    return tickets.order_by(
        "priority",
        F("resolution_due_at").asc(nulls_last=True),
        F("response_due_at").asc(nulls_last=True),
        "created_at",
        "pk",
    )


# What a row of "My tickets" shows (my_tickets.html): reference, summary, status and when it last moved.
MY_TICKET_ROW_COLUMNS = ("kind", "summary", "status", "updated_at")


def requester_tickets(user) -> QuerySet[Ticket]:
    """The requester's own tickets, the most recently changed first, with what a row of "My tickets"
    shows (no joins: a row names no person, service or site)."""
    return (
        visible_tickets(user)
        .filter(requester=user)
        .only(*MY_TICKET_ROW_COLUMNS)
        .order_by("-updated_at", "-pk")
    )


def technician_queue(user, queue: str = "open", *, now=None, open_only: bool = True) -> QuerySet[Ticket]:
    """One of the technicians' queues (QUEUES), sorted for work: open tickets only unless `open_only` is
    False or the queue lists every ticket ("all", newest first)."""
    now = now or timezone.now()
    tickets = visible_tickets(user)
    if open_only and queue not in ANY_STATUS_QUEUES:
        tickets = tickets.filter(status__in=OPEN_STATUSES)
    group_ids = user.support_groups.values("pk")  # a subquery: no query of its own
    if queue == "unassigned":
        tickets = tickets.filter(assignee__isnull=True, group_id__in=group_ids)
    elif queue == "mine":
        tickets = tickets.filter(assignee=user)
    elif queue == "groups":
        tickets = tickets.filter(group_id__in=group_ids)
    elif queue == "breaching":
        return due_order(_list_related(breaching_soon(tickets, now=now)))
    elif queue == "overdue":
        return due_order(_list_related(tickets.alias(due=nearest_due()).filter(due__lte=now)))
    elif queue == "all":
        return _list_related(tickets).order_by("-created_at", "-pk")
    return queue_order(_list_related(tickets))


def breaching_soon(tickets: QuerySet[Ticket], *, now) -> QuerySet[Ticket]:
    """Tickets not yet overdue whose nearest deadline falls within BREACHING_SOON of business time, in
    the calendar of each ticket's SLA (one query for the agreements; their calendars are cached)."""
    horizons = Q(pk__in=[])
    for sla_id, calendar_id in ServiceLevelAgreement.objects.values_list("pk", "calendar_id"):
        horizon = business_add(calendar_spec(calendar_id), now, BREACHING_SOON)
        horizons |= Q(sla_id=sla_id, due__lte=horizon)
    return tickets.alias(due=nearest_due()).filter(horizons, due__gt=now)


def due_order(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """The nearest deadline first: the most overdue first, then the one that breaches next."""
    return tickets.order_by(nearest_due().asc(nulls_last=True), "pk")


SEARCH_WORDS = 6  # words of a search beyond these are ignored
SEARCH_PEOPLE = 200  # at most this many requesters or assets match one search


def ticket_search(tickets: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """Tickets matching every word of `text` in their reference (INC-000123, #123), summary, description,
    requester (first or last name, user name) or asset tag; open or closed alike, as `tickets` holds them.

    Requesters and assets are looked up first (two small queries, whatever the number of words) and
    matched by id, so that each word is a condition PostgreSQL answers from indexes: the trigram indexes
    on summary and description (migration incidents 0007), the requester's and the asset's. Words of
    one or two letters are left out when longer ones are given (no trigram index answers them)."""
    words = list(dict.fromkeys(text.split()))[:SEARCH_WORDS]
    if any(len(word) >= 3 for word in words):
        words = [word for word in words if len(word) >= 3 or pk_from_reference(word) is not None]
    if not words:
        return tickets
    people = _matching(get_user_model().objects, words, ("first_name", "last_name", "username"))
    assets = _matching(Asset.objects, words, ("asset_tag",))
    for word in words:
        matches = Q(summary__icontains=word) | Q(description__icontains=word)
        pk = pk_from_reference(word)
        if pk is not None:
            matches |= Q(pk=pk)
        if people.get(word):
            matches |= Q(requester_id__in=people[word])
        if assets.get(word):
            matches |= Q(asset_id__in=assets[word])
        tickets = tickets.filter(matches)
    return tickets


def _matching(manager, words: list[str], fields: tuple[str, ...]) -> dict[str, list[int]]:
    """For each word, the ids of the rows (people, assets) with the word in one of `fields`: one query."""
    any_word = Q(pk__in=[])
    for word in words:
        for field in fields:
            any_word |= Q(**{f"{field}__icontains": word})
    found: dict[str, list[int]] = {}
    for pk, *values in manager.filter(any_word).values_list("pk", *fields)[: SEARCH_PEOPLE * len(words)]:
        text = " ".join(value or "" for value in values).casefold()
        for word in words:
            if word.casefold() in text:
                found.setdefault(word, []).append(pk)
    return found


def ticket_for_page(user, pk: int) -> Ticket:
    """One visible ticket with what its page shows; Ticket.DoesNotExist when it is not visible.

    The ticket joins only its service (with category), site, group, rating and SLA (whose calendar the
    deadlines are counted in); its three people come in
    one more query, and its asset and major incident (when it has them) by their ids. Eleven joined
    tables cost PostgreSQL more to plan than these small lookups cost to run. A major
    incident's count of linked tickets is the page's to read (major_incident_size), not every action's."""
    tickets = visible_tickets(user).select_related("service__category", "site", "group", "rating", "sla")
    # What the panels of apps above incidents read (changes: the change that caused it), in this query.
    ticket = ticket_extensions.annotate_page(user, tickets).get(pk=pk)
    _attach_people(user, ticket)
    return ticket


def ticket_sla_clocks(ticket: Ticket) -> dict[str, SlaClock]:
    """The ticket's SLA clocks by kind (response, resolution), as slas last derived them: what a paused
    clock has left is on them, not on the ticket (whose due times are empty while it waits)."""
    return {clock.kind: clock for clock in SlaClock.objects.filter(ticket_id=ticket.pk)}


def major_incident_size(ticket: Ticket) -> int:
    """How many tickets are linked under this major incident (whoever may see them)."""
    return Ticket.objects.filter(parent=ticket).count()


TICKET_PEOPLE = ("requester", "logged_by", "assignee")


def _attach_people(user, ticket: Ticket) -> None:
    """The ticket's requester, logger and assignee in one query (none when they are all `user`)."""
    wanted = {getattr(ticket, f"{field}_id") for field in TICKET_PEOPLE} - {None, user.pk}
    people = get_user_model().objects.in_bulk(wanted) if wanted else {}
    people[user.pk] = user
    for field in TICKET_PEOPLE:
        person = people.get(getattr(ticket, f"{field}_id"))
        if person is not None:
            setattr(ticket, field, person)


def ticket_conversation(user, ticket: Ticket) -> list[Comment]:
    attachments = for_audience(user, Attachment.objects.order_by("created_at", "pk"))
    return list(
        visible_comments(user, ticket)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=attachments))
        .order_by("created_at", "pk")
    )


def ticket_conversation_and_files(user, ticket: Ticket) -> tuple[list[Comment], list[Attachment]]:
    """The ticket page's conversation, each comment with its files in `comment.files`, and the files
    attached to the ticket itself: the comments and every visible file of the ticket, two queries (a
    prefetch and a separate list of the ticket's own files were three)."""
    files = for_audience(
        user,
        Attachment.objects.filter(ticket=ticket).select_related("uploaded_by").order_by("created_at", "pk"),
    )
    comments = list(visible_comments(user, ticket).select_related("author").order_by("created_at", "pk"))
    by_comment: dict[int, list[Attachment]] = {comment.pk: [] for comment in comments}
    own = []
    for file in files:
        if file.comment_id is None:
            own.append(file)
        elif file.comment_id in by_comment:  # not the files of notes this person does not see
            by_comment[file.comment_id].append(file)
    for comment in comments:
        comment.files = by_comment[comment.pk]
    return comments, own


def ticket_history(user, ticket: Ticket) -> list[TicketEvent]:
    """The ticket's history as `user` may see it, oldest first. Each event carries `old_row` and `new_row`:
    what its value names by a key (the person for an assignee's username, the agreement's name for an SLA's
    id; None for other fields, whose values are names already), found for the whole history in at most one
    query per kind, whatever its length."""
    events = list(
        for_audience(
            user, TicketEvent.objects.filter(ticket=ticket).select_related("actor").order_by("at", "pk")
        )
    )
    usernames: set[str] = set()
    # An SLA event notes the name of the agreement it moved to: the name it had then, and no query.
    agreements: dict[str, str] = {
        event.new_value: event.note for event in events if event.field == "sla" and event.note
    }
    unnamed: set[str] = set()
    for event in events:
        values = {event.old_value, event.new_value} - {""}
        if event.field == "assignee":
            usernames |= values
        elif event.field == "sla":
            unnamed |= {value for value in values if value.isdigit() and value not in agreements}
    people: dict[str, Any] = {}
    if usernames:
        people = {
            person.get_username(): person
            for person in get_user_model().objects.filter(username__in=usernames)
        }
    if unnamed:
        named = ServiceLevelAgreement.objects.filter(pk__in=[int(value) for value in unnamed])
        agreements |= {str(pk): name for pk, name in named.values_list("pk", "name")}
    rows: dict[str, dict[str, Any]] = {"assignee": people, "sla": agreements}
    for event in events:
        found = rows.get(event.field, {})
        event.old_row = found.get(event.old_value)
        event.new_row = found.get(event.new_value)
    return events


def proposed_major_incidents(user, *, now=None) -> list[dict]:
    """Site-wide trouble: several open tickets from one site on one service within the window, not yet
    linked to a major incident. Each proposal names the site, service, count and ticket ids."""
    now = now or timezone.now()
    since = now - timedelta(minutes=settings.MAJOR_INCIDENT_WINDOW_MINUTES)
    candidates = visible_tickets(user).filter(
        status__in=OPEN_STATUSES, created_at__gte=since, parent__isnull=True, is_major=False
    )
    rows = (
        candidates.values("site_id", "site__name", "service_id", "service__name")
        .annotate(count=Count("pk"), first=Min("created_at"))
        .filter(count__gte=settings.MAJOR_INCIDENT_THRESHOLD)
        .order_by("-count", "first")
    )
    rows = list(rows[:10])
    if not rows:
        return []
    # The ids behind every proposal in one more query (two in all, however many proposals).
    pairs = Q()
    for row in rows:
        pairs |= Q(site_id=row["site_id"], service_id=row["service_id"])
    ids: dict[tuple[int, int], list[int]] = {}
    for pk, site_id, service_id in (
        candidates.filter(pairs).order_by("created_at", "pk").values_list("pk", "site_id", "service_id")
    ):
        ids.setdefault((site_id, service_id), []).append(pk)
    return [{**row, "ticket_ids": ids.get((row["site_id"], row["service_id"]), [])} for row in rows]


# --- pick-lists and small reads of the ticket pages ------------------------------------------------------


def support_people() -> QuerySet:
    """Active people on the ICT service desk (technicians, the ICT manager, admins): who may be assigned."""
    return (
        get_user_model()
        .objects.filter(Q(groups__name__in=SUPPORT_ROLES) | Q(is_superuser=True), is_active=True)
        .select_related("site")
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def possible_requesters() -> QuerySet:
    """Everyone the service desk may log a ticket for, with their usual site (the form's default)."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .select_related("site")
        .order_by("first_name", "last_name", "username")
    )


def tickets_by_pk(user, pks: list[int]) -> list[Ticket]:
    """The visible, open tickets among `pks`, oldest first (a major incident's parent is the first)."""
    return list(
        visible_tickets(user).filter(pk__in=pks, status__in=OPEN_STATUSES).order_by("created_at", "pk")
    )


def major_incident_children(user, ticket: Ticket) -> QuerySet[Ticket]:
    return (
        visible_tickets(user)
        .filter(parent=ticket)
        .select_related("requester", "site", "assignee", "group")
        .order_by("created_at", "pk")
    )


def ticket_for_rating(pk: int) -> Ticket | None:
    """The ticket a signed rating link names, with its rating; the signature is the permission."""
    return Ticket.objects.select_related("rating").filter(pk=pk).first()


def saved_filters(user) -> QuerySet[SavedFilter]:
    return SavedFilter.objects.filter(user=user).order_by("name")


def asset_for_label(asset_tag: str) -> Asset | None:
    """The asset with this tag (any case), with its site and building: a ticket logged from its label
    starts at its site and says which device it is (Asset.where)."""
    return (
        Asset.objects.select_related("site", "building").filter(asset_tag=asset_tag.strip().upper()).first()
    )
