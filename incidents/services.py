"""The verbs of ticket work. Every change to a ticket goes through one of these functions, which checks
who may make it, locks the ticket row, refuses a change made from a stale copy (TicketConflict), writes
the history row(s) and queues the notifications after commit.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from catalogue.models import Service, SupportGroup, TicketKind
from catalogue.priority import priority_for, request_priority_for
from catalogue.services import request_answers_validate
from common.conflicts import StaleCopy
from sites.models import Asset, Site
from slas.agreements import NoAgreement, sla_for_service
from slas.calendars import nth_working_day
from slas.models import Supplier

from . import hooks, notifications
from .attachments import CheckedFile, attachments_check
from .lifecycle import REQUESTER, SUPPORT, SYSTEM, status_on_assignment, transition
from .models import (
    OPEN_STATUSES,
    Attachment,
    Channel,
    Comment,
    PendingReason,
    ResolutionCode,
    SatisfactionRating,
    Status,
    Ticket,
    TicketEvent,
)
from .permissions import is_support, party_of
from .service_levels import ticket_clocks_refresh


class TicketConflict(StaleCopy):
    """Someone else changed the ticket since this copy was read; nothing was changed (HTTP 409)."""

    def __init__(self, ticket: Ticket):
        self.ticket = ticket
        super().__init__(
            f"{ticket.reference} was changed by someone else a moment ago. Nothing was saved: "
            "reload the ticket to see the change, then try again.",
            version=ticket.version,
        )


class TicketTaken(TicketConflict):
    """Someone else has the ticket: taking is for an unassigned ticket; nothing was changed (HTTP 409)."""

    def __init__(self, ticket: Ticket):
        self.ticket = ticket
        StaleCopy.__init__(
            self,
            f"{ticket.reference} is already with {ticket.assignee}. Nothing was saved: to take it over, "
            "assign it to yourself (a handover).",
            version=ticket.version,
        )


# --- helpers ---------------------------------------------------------------------------------------------


def _lock(ticket: Ticket, expected_version: int | None) -> Ticket:
    """Lock the ticket row; refuse if it moved on since the caller read `expected_version`."""
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if expected_version is not None and locked.version != expected_version:
        raise TicketConflict(locked)
    return locked


def _event(ticket: Ticket, kind: str, actor, *, field="", old="", new="", note="", internal=False, at=None):
    return TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor,
        at=at or timezone.now(),
        field=field,
        old_value=str(old or "")[:200],
        new_value=str(new or "")[:200],
        note=note[:300],
        internal=internal,
    )


def _save(ticket: Ticket, fields: list[str]) -> None:
    ticket.version += 1
    ticket.save(update_fields=[*dict.fromkeys([*fields, "version", "updated_at"])])
    hooks.ticket_changed.send(sender=Ticket, ticket=ticket)


def _require_support(user) -> None:
    if not is_support(user):
        raise PermissionDenied("Only the ICT service desk can do this.")


def _party(user, ticket: Ticket) -> str:
    if user is None:
        return SYSTEM
    party = party_of(user, ticket)
    if party is None:
        raise PermissionDenied("This ticket is not yours.")
    return party


def _store_files(
    ticket: Ticket, files: list[CheckedFile], by, comment: Comment | None, internal: bool
) -> None:
    now = timezone.now()
    for checked in files:
        attachment = Attachment(
            ticket=ticket,
            comment=comment,
            uploaded_by=by,
            original_name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            internal=internal,
            created_at=now,
        )
        attachment.file.save(checked.name, ContentFile(checked.data), save=False)
        attachment.save()
        _event(ticket, TicketEvent.Kind.ATTACHMENT, by, new=checked.name, internal=internal, at=now)


# --- logging ---------------------------------------------------------------------------------------------


@transaction.atomic
def ticket_log(
    *,
    requester,
    service: Service,
    site: Site,
    summary: str,
    description: str = "",
    impact: str | None = None,
    urgency: str | None = None,
    kind: str = TicketKind.INCIDENT,
    asset: Asset | None = None,
    answers: dict | None = None,
    channel: str = Channel.WEB,
    logged_by=None,
    files=(),
    channel_received: bool = False,
) -> Ticket:
    """Log an incident or service request on a live service; its priority comes from the catalogue's rule.

    An incident needs its impact and urgency. A service request not given them takes its service's
    defaults (`Service.request_impact`, `request_urgency`): nobody is asked how bad a request is.
    `channel_received` is the caller's word that the ticket itself arrived by `channel` (the mail-in
    pipeline logs the sender's own mail as channel e-mail); never set from what a person sent."""
    logged_by = logged_by or requester
    if logged_by != requester:
        _require_support(logged_by)  # only the service desk logs on a caller's behalf
    elif channel != Channel.WEB and not channel_received and not is_support(logged_by):
        raise PermissionDenied(
            "Only the service desk records that a ticket came by phone, walk-in or e-mail."
        )
    errors: dict[str, list[str]] = {}
    if not service.can_be_chosen:
        errors["service"] = [f"{service.name} is not offered at the moment; choose a live service."]
    elif kind not in service.kinds:
        errors["kind"] = [f"{service.name} does not take {TicketKind(kind).label.split(' (')[0].lower()}s."]
    if asset is not None and asset.site_id != site.pk:
        errors["asset"] = [f"{asset.asset_tag} is at {asset.site.name}, not at {site.name}."]
    if not summary.strip():
        errors["summary"] = ["Say in a few words what is wrong or what you need."]
    if kind == TicketKind.INCIDENT or impact is not None or urgency is not None:
        if impact is None:
            errors["impact"] = ["Say how many people are affected."]
        if urgency is None:
            errors["urgency"] = ["Say whether you can still work."]
    cleaned_answers = {}
    if kind == TicketKind.REQUEST and not errors.get("service"):
        try:
            cleaned_answers = request_answers_validate(service=service, answers=answers or {})
        except ValidationError as invalid:
            errors.update({f"answers.{k}": v for k, v in invalid.message_dict.items()})
    try:
        checked = attachments_check(files)
    except ValidationError as invalid:
        errors["files"] = invalid.messages
    if errors:
        raise ValidationError(errors)

    if impact is None:  # a service request: its service's default, through the same matrix
        impact, urgency = service.request_impact, service.request_urgency
        decision = request_priority_for(service=service)
    else:
        decision = priority_for(impact=impact, urgency=urgency, service=service)
    ticket = Ticket.objects.create(
        kind=kind,
        summary=summary.strip(),
        description=description.strip(),
        impact=impact,
        urgency=urgency,
        priority=decision.priority,
        priority_reason=decision.reason,
        service=service,
        site=site,
        asset=asset,
        request_answers=cleaned_answers,
        requester=requester,
        logged_by=logged_by,
        channel=channel,
        group=service.support_group,
    )
    at = ticket.created_at
    _event(ticket, TicketEvent.Kind.LOGGED, logged_by, field="status", new=Status.NEW, at=at)
    _event(
        ticket,
        TicketEvent.Kind.PRIORITY,
        logged_by,
        field="priority",
        new=f"P{ticket.priority}",
        note=decision.reason,
        at=at,
    )
    if ticket.group_id:
        # Who holds the ticket from the start: the OLA clocks read it from the history.
        _event(ticket, TicketEvent.Kind.GROUP, logged_by, field="group", new=ticket.group, at=at)
    _set_sla(ticket, logged_by, at)
    _store_files(ticket, checked, logged_by, None, internal=False)
    ticket_clocks_refresh(ticket)
    notifications.ticket_logged(ticket)
    answers = hooks.ticket_recorded.send(sender=Ticket, ticket=ticket)
    if any(changed for _, changed in answers):
        ticket.refresh_from_db()  # a listener changed the row (e.g. put it under a major incident)
    return ticket


def _set_sla(ticket: Ticket, by, at) -> bool:
    """Put the ticket under its service's SLA (recorded in its history); True when that changed it."""
    try:
        sla = sla_for_service(ticket.service_id)
    except NoAgreement:
        return False
    if sla.pk == ticket.sla_id:
        return False
    old = ticket.sla_id
    ticket.sla = sla
    Ticket.objects.filter(pk=ticket.pk).update(sla=sla)
    _event(ticket, TicketEvent.Kind.SLA, by, field="sla", old=old or "", new=sla.pk, note=sla.name, at=at)
    return True


# --- the lifecycle ---------------------------------------------------------------------------------------


@transaction.atomic
def ticket_change_status(
    *,
    ticket: Ticket,
    to: str,
    by,
    expected_version: int | None = None,
    pending_reason: str = "",
    supplier: Supplier | None = None,
    resolution_code: str = "",
    resolution_note: str = "",
    first_contact: bool = False,
    note: str = "",
) -> Ticket:
    """Move the ticket to another status, as the lifecycle table allows (_status_move), save it, move its
    clocks and tell whom it concerns."""
    ticket = _lock(ticket, None)
    party = _party(by, ticket)  # who is asking comes first: an outsider learns nothing from a 409
    if expected_version is not None and ticket.version != expected_version:
        raise TicketConflict(ticket)
    fields, message = _status_move(
        ticket,
        to=to,
        by=by,
        party=party,
        now=timezone.now(),
        pending_reason=pending_reason,
        supplier=supplier,
        resolution_code=resolution_code,
        resolution_note=resolution_note,
        first_contact=first_contact,
        note=note,
    )
    _save(ticket, fields)
    ticket_clocks_refresh(ticket)

    if to == Status.RESOLVED:
        notifications.ticket_resolved(ticket)
        _resolve_children(ticket, by)
    elif to == Status.REOPENED:
        notifications.ticket_reopened(ticket, by=by, reason=message)
    elif to == Status.PENDING and pending_reason == PendingReason.USER:
        notifications.ticket_waiting_on_requester(ticket, by=by, question=message)
    return ticket


def _status_move(
    ticket: Ticket,
    *,
    to: str,
    by,
    party: str,
    now: datetime,
    pending_reason: str = "",
    supplier: Supplier | None = None,
    resolution_code: str = "",
    resolution_note: str = "",
    first_contact: bool = False,
    note: str = "",
) -> tuple[list[str], Comment | None]:
    """The one place a ticket's status changes: checks the lifecycle table (lifecycle.TRANSITIONS) and
    the actor's part in it, sets what the move brings with it and writes the status history row. The
    ticket is locked by the caller, which saves the returned fields and refreshes the clocks
    (ticket_change_status, ticket_assign). Returns the fields and the message to the requester the
    note became, if it did."""
    step = transition(ticket.status, to)
    if step is None:
        current, wanted = ticket.get_status_display().lower(), Status(to).label.lower()
        raise ValidationError({"status": f"A {current} ticket cannot become {wanted}."})
    if party not in step.by:
        raise PermissionDenied(f"You cannot {step.name} this ticket.")

    fields = ["status"]
    old = ticket.status
    if to == Status.PENDING:
        if pending_reason not in PendingReason.values:
            raise ValidationError(
                {"pending_reason": "Say who the ticket is waiting on: the requester or a third party."}
            )
        ticket.pending_reason = pending_reason
        fields.append("pending_reason")
    elif ticket.pending_reason:
        ticket.pending_reason = ""
        fields.append("pending_reason")
    if supplier is not None and (to != Status.PENDING or pending_reason != PendingReason.THIRD_PARTY):
        raise ValidationError(
            {"supplier": "Only a ticket waiting on a third party is referred to a supplier."}
        )
    if supplier != ticket.supplier:
        # The referral starts (or ends) the supplier's underpinning-contract clock (slas/operational.py).
        _event(
            ticket,
            TicketEvent.Kind.SUPPLIER,
            by,
            field="supplier",
            old=ticket.supplier or "",
            new=supplier or "",
            at=now,
        )
        ticket.supplier = supplier
        fields.append("supplier")
    if to == Status.RESOLVED:
        if resolution_code not in ResolutionCode.values:
            raise ValidationError({"resolution_code": "Choose how the ticket was resolved."})
        if not resolution_note.strip():
            raise ValidationError(
                {"resolution_note": "Write what was done, in words the requester understands."}
            )
        ticket.resolution_code, ticket.resolution_note = resolution_code, resolution_note.strip()
        ticket.first_contact, ticket.resolved_at = first_contact, now
        fields += ["resolution_code", "resolution_note", "first_contact", "resolved_at"]
    if to == Status.CLOSED:
        if step.name == "withdraw":
            ticket.resolution_code = ResolutionCode.WITHDRAWN
            ticket.resolution_note = ticket.resolution_note or note or "Withdrawn by the requester."
            ticket.resolved_at = ticket.resolved_at or now
            fields += ["resolution_code", "resolution_note", "resolved_at"]
        ticket.closed_at = now
        fields.append("closed_at")
    if to == Status.REOPENED:
        if party == REQUESTER and ticket.resolved_at < now - timedelta(days=settings.REOPEN_WINDOW_DAYS):
            days = settings.REOPEN_WINDOW_DAYS
            raise ValidationError({"status": f"Resolved more than {days} days ago: please log a new ticket."})
        ticket.reopen_count += 1
        ticket.resolved_at = None
        ticket.first_contact = False
        fields += ["reopen_count", "resolved_at", "first_contact"]
    if to == Status.IN_PROGRESS and party == SUPPORT and ticket.assignee_id is None and by is not None:
        # Starting work on an unassigned ticket takes it.
        ticket.assignee = by
        fields.append("assignee")
        _event(ticket, TicketEvent.Kind.ASSIGNED, by, field="assignee", new=by.get_username(), at=now)
    if to == Status.IN_PROGRESS and party == SUPPORT and ticket.first_response_at is None:
        # Acknowledgement: a technician starting work is the first response (docs/sla.md).
        ticket.first_response_at = now
        fields.append("first_response_at")
        _event(ticket, TicketEvent.Kind.RESPONDED, by, note="work started", at=now)
    message = None
    asks_requester = to == Status.PENDING and pending_reason == PendingReason.USER
    if note.strip() and by is not None and (to == Status.REOPENED or asks_requester):
        # Why the requester reopens it, or what the desk asks them: said to the other side, so it belongs
        # to the conversation (and its mail), not only to the history.
        message = Comment.objects.create(ticket=ticket, author=by, body=note.strip(), internal=False)
        if party == SUPPORT and ticket.first_response_at is None:
            ticket.first_response_at = now  # a public message from the desk is a response (docs/sla.md)
            fields.append("first_response_at")
            _event(ticket, TicketEvent.Kind.RESPONDED, by, note="question to the requester", at=now)
    ticket.status = to
    _event(
        ticket,
        TicketEvent.Kind.STATUS,
        by,
        field="status",
        old=old,
        new=to,
        note=note or pending_reason,
        at=now,
    )
    return fields, message


def _resolve_children(parent: Ticket, by) -> None:
    """Resolving a major incident resolves its open child tickets and tells each requester."""
    for child in parent.children.filter(status__in=OPEN_STATUSES).order_by("pk"):
        ticket_change_status(
            ticket=child,
            to=Status.RESOLVED,
            by=by,
            resolution_code=parent.resolution_code,
            resolution_note=f"Resolved with major incident {parent.reference}: {parent.resolution_note}",
            note=f"resolved with {parent.reference}",
        )


# --- assignment ------------------------------------------------------------------------------------------


@transaction.atomic
def ticket_assign(
    *,
    ticket: Ticket,
    by,
    assignee=None,
    group: SupportGroup | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """Assign the ticket to a person and/or a group. Moving it from one person or group to another is a
    handover (a KPI); the first assignment is not."""
    _require_support(by)
    ticket = _lock(ticket, expected_version)
    if ticket.status in (Status.RESOLVED, Status.CLOSED):
        raise ValidationError(
            {"assignee": "A resolved or closed ticket cannot be reassigned; reopen it first."}
        )
    if assignee is not None and not is_support(assignee):
        raise ValidationError({"assignee": f"{assignee} is not on the ICT service desk."})
    group = group or ticket.group
    if assignee is not None and group is not None and not group.members.filter(pk=assignee.pk).exists():
        # Assigning a person outside the group moves the ticket to no group rather than lying about it.
        member_group = assignee.support_groups.order_by("name").first()
        group = member_group or group
    changed_person = assignee is not None and assignee.pk != ticket.assignee_id
    changed_group = group is not None and group.pk != ticket.group_id
    if not (changed_person or changed_group):
        return ticket
    now = timezone.now()
    fields = []
    handover = (changed_person and ticket.assignee_id is not None) or (
        changed_group and ticket.group_id is not None
    )
    if changed_group:
        _event(ticket, TicketEvent.Kind.GROUP, by, field="group", old=ticket.group or "", new=group, at=now)
        ticket.group = group
        fields.append("group")
        if assignee is None and ticket.assignee_id is not None:
            # A move to another group leaves the ticket for that group to take.
            _event(
                ticket,
                TicketEvent.Kind.ASSIGNED,
                by,
                field="assignee",
                old=ticket.assignee.get_username(),
                at=now,
            )
            ticket.assignee = None
            fields.append("assignee")
    if changed_person:
        old = ticket.assignee.get_username() if ticket.assignee_id else ""
        _event(
            ticket,
            TicketEvent.Kind.ASSIGNED,
            by,
            field="assignee",
            old=old,
            new=assignee.get_username(),
            at=now,
        )
        ticket.assignee = assignee
        fields.append("assignee")
    if handover:
        ticket.handovers += 1
        fields.append("handovers")
    if ticket.assignee_id is not None and status_on_assignment(ticket.status):
        # A new or reopened ticket given to a person becomes assigned: the table's "assign" step.
        fields += _status_move(ticket, to=Status.ASSIGNED, by=by, party=SUPPORT, now=now)[0]
    _save(ticket, fields)
    ticket_clocks_refresh(ticket)  # a group taking or handing on the ticket moves its OLA clocks
    if changed_person and assignee != by:
        notifications.ticket_assigned(ticket, by=by)
    return ticket


@transaction.atomic
def ticket_take(*, ticket: Ticket, by, expected_version: int | None = None) -> Ticket:
    """A technician takes an unassigned ticket (or keeps their own). One someone else has is refused
    (TicketTaken, a 409) whatever the version: of two taking it at once, the second never takes it over
    from the first. Taking over from a colleague is an assignment (ticket_assign, a handover)."""
    _require_support(by)
    locked = _lock(ticket, expected_version)
    if locked.assignee_id is not None and locked.assignee_id != by.pk:
        raise TicketTaken(locked)
    return ticket_assign(ticket=locked, by=by, assignee=by, expected_version=locked.version)


# --- details ---------------------------------------------------------------------------------------------


@transaction.atomic
def ticket_update(
    *,
    ticket: Ticket,
    by,
    expected_version: int | None = None,
    impact: str | None = None,
    urgency: str | None = None,
    service: Service | None = None,
    site: Site | None = None,
    asset: Asset | bool | None = False,
) -> Ticket:
    """Change the classification (impact, urgency, service) or the place (site, asset) of an open ticket.

    The priority is recomputed by the catalogue's rule from the ticket's logging time; `asset=None`
    removes the asset, `asset=False` (the default) leaves it.
    """
    _require_support(by)
    ticket = _lock(ticket, expected_version)
    if not ticket.is_open:
        raise ValidationError({"status": "Only an open ticket can be changed; reopen it first."})
    now = timezone.now()
    fields: list[str] = []
    for name, value, kind in (
        ("impact", impact, TicketEvent.Kind.PRIORITY),
        ("urgency", urgency, TicketEvent.Kind.PRIORITY),
        ("service", service, TicketEvent.Kind.SERVICE),
        ("site", site, TicketEvent.Kind.SITE),
    ):
        if value is not None and value != getattr(ticket, name):
            if name == "service" and not value.can_be_chosen:
                raise ValidationError({"service": f"{value.name} is not live; choose a live service."})
            _event(ticket, kind, by, field=name, old=getattr(ticket, name), new=value, at=now)
            setattr(ticket, name, value)
            fields.append(name)
    if asset is not False and asset != ticket.asset:
        if asset is not None and asset.site_id != ticket.site_id:
            raise ValidationError({"asset": f"{asset.asset_tag} is not at {ticket.site.name}."})
        _event(
            ticket, TicketEvent.Kind.ASSET, by, field="asset", old=ticket.asset or "", new=asset or "", at=now
        )
        ticket.asset = asset
        fields.append("asset")
    elif "site" in fields and ticket.asset_id and ticket.asset.site_id != ticket.site_id:
        _event(ticket, TicketEvent.Kind.ASSET, by, field="asset", old=ticket.asset, new="", at=now)
        ticket.asset = None
        fields.append("asset")
    if {"impact", "urgency", "service"} & set(fields):
        decision = priority_for(
            impact=ticket.impact, urgency=ticket.urgency, service=ticket.service, when=ticket.created_at
        )
        if decision.priority != ticket.priority:
            _event(
                ticket,
                TicketEvent.Kind.PRIORITY,
                by,
                field="priority",
                old=f"P{ticket.priority}",
                new=f"P{decision.priority}",
                note=decision.reason,
                at=now,
            )
        ticket.priority, ticket.priority_reason = decision.priority, decision.reason
        fields += ["priority", "priority_reason"]
    if fields:
        _save(ticket, fields)
        if "service" in fields:
            _set_sla(ticket, by, now)
        ticket_clocks_refresh(ticket)
    return ticket


# --- conversation ----------------------------------------------------------------------------------------


# Which fields of a ticket each service changes: ticket_patch hands each group to its service.
PATCH_UPDATE_FIELDS = ("impact", "urgency", "service", "site", "asset")
PATCH_ASSIGN_FIELDS = ("assignee", "group")
PATCH_STATUS_DETAIL_FIELDS = (
    "pending_reason",
    "supplier",
    "resolution_code",
    "resolution_note",
    "first_contact",
    "note",
)
PATCH_FIELDS = frozenset((*PATCH_UPDATE_FIELDS, *PATCH_ASSIGN_FIELDS, "status", *PATCH_STATUS_DETAIL_FIELDS))


@transaction.atomic
def ticket_patch(*, ticket: Ticket, by, changes: dict, expected_version: int | None = None) -> Ticket:
    """Several changes to one ticket, all or nothing: classification and place (ticket_update),
    assignment (ticket_assign) and status (ticket_change_status), each through its own service.

    A reopen goes first (a resolved ticket must be open again before it is changed or reassigned), any
    other status change last. The version is checked by the first step; later steps expect the version
    the earlier ones left (the row is locked by then)."""
    unknown = sorted(set(changes) - PATCH_FIELDS)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed here."] for name in unknown})
    update = {name: changes[name] for name in PATCH_UPDATE_FIELDS if name in changes}
    assign = {name: changes[name] for name in PATCH_ASSIGN_FIELDS if name in changes}
    details = {name: changes[name] for name in PATCH_STATUS_DETAIL_FIELDS if name in changes}
    to = changes.get("status")
    if to is not None and to == ticket.status and not details:
        to = None  # the status the ticket already has: nothing to do
    if details and to is None:
        raise ValidationError({name: ["Send it with the status it belongs to."] for name in details})

    steps = []
    if update:
        steps.append(lambda t, v: ticket_update(ticket=t, by=by, expected_version=v, **update))
    if assign:
        steps.append(lambda t, v: ticket_assign(ticket=t, by=by, expected_version=v, **assign))
    if to is not None:

        def change(t, v):
            return ticket_change_status(ticket=t, to=to, by=by, expected_version=v, **details)

        if to == Status.REOPENED:
            steps.insert(0, change)
        else:
            steps.append(change)
    if not steps:
        if expected_version is not None and expected_version != ticket.version:
            raise TicketConflict(ticket)
        return ticket
    for step in steps:
        ticket = step(ticket, expected_version)
        expected_version = ticket.version
    return ticket


@transaction.atomic
def ticket_comment(
    *,
    ticket: Ticket,
    by,
    body: str,
    internal: bool = False,
    files=(),
    expected_version: int | None = None,
) -> Comment:
    """A public reply or an internal note, with files. A support reply is the first response; a requester's
    reply to a ticket waiting on them puts it back in progress."""
    party = _party(by, ticket)
    if internal and party != SUPPORT:
        raise PermissionDenied("Only the ICT service desk writes internal notes.")
    if not body.strip():
        raise ValidationError({"body": "Write a message."})
    checked = attachments_check(files)
    ticket = _lock(ticket, expected_version)
    if ticket.status == Status.CLOSED:
        raise ValidationError({"body": "This ticket is closed; log a new ticket and mention its reference."})
    now = timezone.now()
    comment = Comment.objects.create(ticket=ticket, author=by, body=body.strip(), internal=internal)
    _event(
        ticket, TicketEvent.Kind.NOTE if internal else TicketEvent.Kind.REPLY, by, internal=internal, at=now
    )
    _store_files(ticket, checked, by, comment, internal=internal)
    fields: list[str] = []
    if party == SUPPORT and not internal and ticket.first_response_at is None:
        ticket.first_response_at = now
        fields.append("first_response_at")
        _event(ticket, TicketEvent.Kind.RESPONDED, by, note="first public reply", at=now)
    _save(ticket, fields)
    if fields:
        ticket_clocks_refresh(ticket)
    if party == REQUESTER and ticket.status == Status.PENDING and ticket.pending_reason == PendingReason.USER:
        ticket_change_status(ticket=ticket, to=Status.IN_PROGRESS, by=None, note="the requester replied")
    if not internal:
        notifications.ticket_replied(ticket, comment)
        hooks.public_reply_sent.send(sender=Comment, ticket=ticket, comment=comment, by=by)
    return comment


@transaction.atomic
def ticket_attach(
    *, ticket: Ticket, by, files, internal: bool = False, expected_version: int | None = None
) -> list[Attachment]:
    """Attach files without a message."""
    party = _party(by, ticket)
    if internal and party != SUPPORT:
        raise PermissionDenied("Only the ICT service desk adds internal files.")
    checked = attachments_check(files)
    if not checked:
        raise ValidationError({"files": "Choose at least one file."})
    ticket = _lock(ticket, expected_version)
    if ticket.status == Status.CLOSED:
        raise ValidationError({"files": "This ticket is closed."})
    before = set(ticket.attachments.values_list("pk", flat=True))
    _store_files(ticket, checked, by, None, internal=internal)
    _save(ticket, [])
    return list(ticket.attachments.exclude(pk__in=before))


# --- after resolution ------------------------------------------------------------------------------------


@transaction.atomic
def ticket_rate(
    *, ticket: Ticket, by, score: int, comment: str = "", via_link: bool = False
) -> SatisfactionRating:
    """The requester rates a resolved or closed ticket, once. `by` None means the signed link was used."""
    if by is not None and _party(by, ticket) != REQUESTER:
        raise PermissionDenied("Only the requester rates a ticket.")
    ticket = _lock(ticket, None)
    if ticket.status not in (Status.RESOLVED, Status.CLOSED):
        raise ValidationError({"score": "A ticket can be rated once it is resolved."})
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationError({"score": "Choose from 1 (poor) to 5 (excellent)."})
    if SatisfactionRating.objects.filter(ticket=ticket).exists():
        raise ValidationError({"score": "This ticket has been rated already. Thank you."})
    now = timezone.now()
    rating = SatisfactionRating.objects.create(
        ticket=ticket, score=score, comment=comment.strip()[:2000], rated_at=now, via_link=via_link
    )
    _event(ticket, TicketEvent.Kind.RATED, ticket.requester if by is None else by, new=f"{score}/5", at=now)
    _save(ticket, [])
    return rating


def auto_close_day(resolved_on: date) -> date:
    """The local date from which tickets_auto_close closes a ticket resolved on `resolved_on`: the day
    after the AUTO_CLOSE_WORKING_DAYS-th working day after it (the same rule, counted forwards)."""
    return nth_working_day(resolved_on, settings.AUTO_CLOSE_WORKING_DAYS) + timedelta(days=1)


def tickets_auto_close(*, now: datetime | None = None, batch: int = 500) -> int:
    """Close resolved tickets the requester has not answered for AUTO_CLOSE_WORKING_DAYS working days.

    Idempotent and safe to run from two beat processes: rows are claimed with SKIP LOCKED, and a ticket
    already closed is no longer resolved.
    """
    now = now or timezone.now()
    # A ticket resolved on day R closes once N whole working days of the service desk's calendar have
    # passed after R (auto_close_day): find the Nth working day before today; tickets resolved before
    # that day's start are due.
    day = nth_working_day(timezone.localdate(now), -settings.AUTO_CLOSE_WORKING_DAYS)
    cutoff = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    closed = 0
    while True:
        with transaction.atomic():
            due = list(
                Ticket.objects.select_for_update(skip_locked=True)
                .filter(status=Status.RESOLVED, resolved_at__lt=cutoff)
                .order_by("pk")[:batch]
            )
            for ticket in due:
                ticket_change_status(ticket=ticket, to=Status.CLOSED, by=None, note="closed automatically")
            closed += len(due)
        if len(due) < batch:
            return closed


# --- records of other apps -------------------------------------------------------------------------------


@transaction.atomic
def ticket_problem_recorded(
    *, ticket: Ticket, by, old: str = "", new: str = "", note: str = ""
) -> TicketEvent:
    """Write the ticket's history row for a link to a problem made or undone (problems.services owns the
    link; the ticket's history is incidents'): an internal event, as problems are the desk's business."""
    _require_support(by)
    return _event(
        ticket, TicketEvent.Kind.PROBLEM, by, field="problem", old=old, new=new, note=note, internal=True
    )


def ticket_change_recorded(
    *, ticket: Ticket, by, old: str = "", new: str = "", note: str = ""
) -> TicketEvent:
    """Write the ticket's history row for "caused by change CHG-..." named, moved or undone (changes
    owns the link; the ticket's history is incidents'): an internal event, as changes are the desk's."""
    _require_support(by)
    return _event(
        ticket,
        TicketEvent.Kind.CHANGE,
        by,
        field="caused_by_change",
        old=old,
        new=new,
        note=note,
        internal=True,
    )


# --- major incidents -------------------------------------------------------------------------------------


@transaction.atomic
def major_incident_link(*, parent: Ticket, children: list[Ticket], by) -> Ticket:
    """Make `parent` a major incident and link the given tickets to it as children. `by` None is the system
    acting on the desk's standing order (outages: OUTAGES_MAJOR_INCIDENT=open, a ticket logged during an
    outage that has a major incident); every page and endpoint passes the person asking."""
    if by is not None:
        _require_support(by)
    parent = _lock(parent, None)
    if not parent.is_open:
        raise ValidationError({"parent": "A major incident must be open."})
    if parent.parent_id:
        raise ValidationError({"parent": f"{parent.reference} is itself part of {parent.parent.reference}."})
    now = timezone.now()
    if not parent.is_major:
        parent.is_major = True
        _save(parent, ["is_major"])
        _event(parent, TicketEvent.Kind.PARENT, by, field="is_major", new="major incident", at=now)
    for child in sorted(children, key=lambda t: t.pk):
        if child.pk == parent.pk or child.parent_id == parent.pk:
            continue
        child = _lock(child, None)
        if child.is_major and child.children.exists():
            raise ValidationError(
                {"children": f"{child.reference} is a major incident with its own tickets."}
            )
        child.parent = parent
        _save(child, ["parent"])
        _event(child, TicketEvent.Kind.PARENT, by, field="parent", new=parent.reference, at=now)
    return parent


@transaction.atomic
def major_incident_update(*, parent: Ticket, by, body: str) -> int:
    """One public update posted on the major incident and on each open child; each requester is told once."""
    _require_support(by)
    parent = Ticket.objects.get(pk=parent.pk)  # the caller's copy may predate major_incident_link
    if not parent.is_major:
        raise ValidationError({"parent": f"{parent.reference} is not a major incident."})
    tickets = [parent, *parent.children.filter(status__in=OPEN_STATUSES).order_by("pk")]
    for ticket in tickets:
        ticket_comment(ticket=ticket, by=by, body=body)
    return len(tickets)
