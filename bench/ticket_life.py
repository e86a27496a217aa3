"""One generated ticket lived through in memory, leaving the rows the real service functions leave.

Each method mirrors one verb of incidents/services.py (ticket_log, ticket_assign, ticket_change_status,
ticket_comment, ticket_rate): the same history rows (kind, field, old and new values, notes, internal
flag), the same ticket fields and the same version bumps, checked against the one lifecycle table
(incidents.lifecycle). What it skips is what a benchmark does not read: mails and files.

A step dated after the generator's "now" raises Horizon: the ticket's life stops there, so recent tickets
are naturally still open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from incidents.lifecycle import REQUESTER, SUPPORT, SYSTEM, transition
from incidents.models import PendingReason, Status, TicketEvent

Kind = TicketEvent.Kind
__all__ = ["REQUESTER", "SUPPORT", "SYSTEM", "Horizon", "TicketLife"]


class Horizon(Exception):
    """The next step would happen after the generator's now."""


@dataclass(slots=True)
class TicketLife:
    id: int
    kind: str
    summary: str
    description: str
    impact: str
    urgency: str
    priority: int
    priority_reason: str
    service_id: int
    site_id: int
    asset_id: int | None
    requester_id: int
    logged_by_id: int
    channel: str
    group_id: int
    sla_id: int | None
    sla_name: str
    created_at: datetime
    now: datetime
    usernames: dict[int, str]
    group_name: str = ""

    status: str = Status.NEW
    pending_reason: str = ""
    assignee_id: int | None = None
    handovers: int = 0
    resolution_code: str = ""
    resolution_note: str = ""
    first_contact: bool = False
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    reopen_count: int = 0
    version: int = 1
    updated_at: datetime | None = None
    # (kind, actor_id, at, field, old, new, note, internal), in the order the services write them
    events: list[tuple] = field(default_factory=list)
    # (author_id, body, internal, created_at)
    comments: list[tuple] = field(default_factory=list)
    # (score, comment, rated_at, via_link)
    rating: tuple | None = None
    last_at: datetime | None = None
    # (verb, at, arguments): the service calls this life stands for, in order (tests/bench replays them)
    calls: list[tuple] = field(default_factory=list)

    # --- plumbing, as in incidents/services.py ------------------------------------------------------

    def _check(self, at: datetime) -> None:
        if at > self.now:
            raise Horizon
        if self.last_at is not None and at < self.last_at:
            raise AssertionError(f"generator bug: ticket {self.id} steps out of time order")
        self.last_at = at

    def _event(self, kind, actor, at, *, field="", old="", new="", note="", internal=False) -> None:
        old, new = str(old or "")[:200], str(new or "")[:200]
        self.events.append((kind, actor, at, field, old, new, note[:300], internal))

    def _save(self, at: datetime) -> None:
        self.version += 1
        self.updated_at = at

    # --- the verbs ----------------------------------------------------------------------------------

    def log(self) -> None:
        """ticket_log: logged, priority, group and SLA rows at the logging instant."""
        at, by = self.created_at, self.logged_by_id
        self.calls.append(("log", at, {}))
        self.updated_at = self.last_at = at
        self._event(Kind.LOGGED, by, at, field="status", new=Status.NEW)
        self._event(
            Kind.PRIORITY, by, at, field="priority", new=f"P{self.priority}", note=self.priority_reason
        )
        if self.group_name:
            self._event(Kind.GROUP, by, at, field="group", new=self.group_name)
        if self.sla_id is not None:
            self._event(Kind.SLA, by, at, field="sla", old="", new=self.sla_id, note=self.sla_name)

    def assign(self, at: datetime, by: int, assignee: int) -> None:
        """ticket_assign to a person of the ticket's own group (ticket_take when by == assignee)."""
        self._check(at)
        self.calls.append(("assign", at, {"by": by, "assignee": assignee}))
        if assignee == self.assignee_id:
            return
        handover = self.assignee_id is not None
        old = self.usernames[self.assignee_id] if self.assignee_id else ""
        self._event(Kind.ASSIGNED, by, at, field="assignee", old=old, new=self.usernames[assignee])
        self.assignee_id = assignee
        if handover:
            self.handovers += 1
        if self.status in (Status.NEW, Status.REOPENED):
            self._event(Kind.STATUS, by, at, field="status", old=self.status, new=Status.ASSIGNED)
            self.status = Status.ASSIGNED
        self._save(at)

    def change_status(
        self,
        at: datetime,
        to: str,
        by: int | None,
        party: str,
        *,
        pending_reason: str = "",
        resolution_code: str = "",
        resolution_note: str = "",
        first_contact: bool = False,
        note: str = "",
        record: bool = True,
    ) -> None:
        """ticket_change_status, for the moves the lifecycle table allows this party."""
        self._check(at)
        if record:
            arguments = {"to": to, "by": by, "pending_reason": pending_reason, "note": note}
            arguments |= {"resolution_code": resolution_code, "resolution_note": resolution_note}
            self.calls.append(("change_status", at, arguments | {"first_contact": first_contact}))
        step = transition(self.status, to)
        if step is None or party not in step.by:
            raise AssertionError(f"generator bug: {party} cannot move {self.status} -> {to}")
        old = self.status
        if to == Status.PENDING:
            if pending_reason not in PendingReason.values:
                raise AssertionError("generator bug: pending without a reason")
            self.pending_reason = pending_reason
        elif self.pending_reason:
            self.pending_reason = ""
        if to == Status.RESOLVED:
            self.resolution_code, self.resolution_note = resolution_code, resolution_note
            self.first_contact, self.resolved_at = first_contact, at
        if to == Status.CLOSED:
            self.closed_at = at
        if to == Status.REOPENED:
            self.reopen_count += 1
            self.resolved_at = None
            self.first_contact = False
        if to == Status.IN_PROGRESS and party == SUPPORT and self.assignee_id is None and by is not None:
            self.assignee_id = by
            self._event(Kind.ASSIGNED, by, at, field="assignee", new=self.usernames[by])
        if to == Status.IN_PROGRESS and party == SUPPORT and self.first_response_at is None:
            self.first_response_at = at
            self._event(Kind.RESPONDED, by, at, note="work started")
        asks_requester = to == Status.PENDING and pending_reason == PendingReason.USER
        if note.strip() and by is not None and (to == Status.REOPENED or asks_requester):
            # The reopen's reason or the desk's question is a public message of the conversation.
            self.comments.append((by, note.strip(), False, at))
            if party == SUPPORT and self.first_response_at is None:
                self.first_response_at = at
                self._event(Kind.RESPONDED, by, at, note="question to the requester")
        self.status = to
        self._save(at)
        self._event(Kind.STATUS, by, at, field="status", old=old, new=to, note=note or pending_reason)

    def comment(self, at: datetime, by: int, party: str, body: str, *, internal: bool = False) -> None:
        """ticket_comment: a public reply or an internal note; a support reply is the first response, and
        a requester's reply to a ticket waiting on them resumes it."""
        self._check(at)
        self.calls.append(("comment", at, {"by": by, "body": body, "internal": internal}))
        if self.status == Status.CLOSED:
            raise AssertionError("generator bug: comment on a closed ticket")
        self.comments.append((by, body, internal, at))
        self._event(Kind.NOTE if internal else Kind.REPLY, by, at, internal=internal)
        if party == SUPPORT and not internal and self.first_response_at is None:
            self.first_response_at = at
            self._event(Kind.RESPONDED, by, at, note="first public reply")
        self._save(at)
        if party == REQUESTER and self.status == Status.PENDING and self.pending_reason == PendingReason.USER:
            self.change_status(
                at, Status.IN_PROGRESS, None, SYSTEM, note="the requester replied", record=False
            )

    def rate(self, at: datetime, score: int, comment: str, *, via_link: bool) -> None:
        """ticket_rate: once, on a resolved or closed ticket; the history names the requester."""
        self._check(at)
        self.calls.append(("rate", at, {"score": score, "comment": comment, "via_link": via_link}))
        if self.status not in (Status.RESOLVED, Status.CLOSED) or self.rating is not None:
            raise AssertionError("generator bug: rating an unresolved or rated ticket")
        self.rating = (score, comment, at, via_link)
        self._event(Kind.RATED, self.requester_id, at, new=f"{score}/5")
        self._save(at)
