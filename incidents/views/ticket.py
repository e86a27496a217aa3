"""The ticket page and its actions (reply, status, take, assign, update, rate, major incident),
its files, and the rating link mailed to the requester."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalogue.models import Service
from catalogue.selectors import choosable_services
from common.access import access_required, require_page
from slas.operational import ticket_operational_clocks
from slas.unavailability import windows_not_counted

from .. import hooks, notifications, page_links, selectors, services
from ..forms import (
    FILES_NOT_KEPT,
    AssignForm,
    MajorLinkForm,
    MajorUpdateForm,
    RatingForm,
    RatingLinkForm,
    ReplyForm,
    StatusForm,
    TakeForm,
    TicketUpdateForm,
    VersionedForm,
    errors_onto,
)
from ..lifecycle import REQUESTER, SUPPORT, allowed_targets, transition
from ..models import Status, Ticket
from ..permissions import is_support, party_of, visible_attachments
from ..services import TicketConflict
from ..ticket_extensions import ticket_panels


def _visible_ticket(user, pk: int) -> Ticket:
    try:
        return selectors.ticket_for_page(user, pk)
    except Ticket.DoesNotExist:
        raise Http404("No such ticket.") from None


# --- the ticket page -------------------------------------------------------------------------------------

REQUESTER_LABELS = {
    "close": "Yes, it is fixed: close the ticket",
    "reopen": "It is not fixed: reopen it",
    "withdraw": "Withdraw this ticket",
}
SUPPORT_LABELS = {
    "assign": "Mark as assigned",
    "withdraw": "Close (withdrawn by the requester)",
}


@dataclass
class StatusMove:
    target: str
    label: str
    form: StatusForm
    needs_details: bool


def _status_moves(ticket: Ticket, party: str | None, bound: StatusForm | None) -> list[StatusMove]:
    """One form per move the lifecycle table offers this person; the posted one keeps what was typed."""
    targets = allowed_targets(ticket.status, party) if party else []
    posted = bound.data.get("to") if bound is not None else None
    if posted in Status.values and posted not in targets:
        targets = [*targets, posted]  # a conflict moved the ticket on: still show what they typed
    moves = []
    for target in targets:
        step = transition(ticket.status, target)
        name = step.name if step else Status(target).label.lower()
        labels = REQUESTER_LABELS if party == REQUESTER else SUPPORT_LABELS
        form = bound if target == posted else StatusForm(target=target, initial={"version": ticket.version})
        moves.append(
            StatusMove(
                target=target,
                label=labels.get(name, name.capitalize()),
                form=form,
                # Moves that ask something, and withdrawing (a mis-tap would close an open ticket).
                needs_details=target in (Status.PENDING, Status.RESOLVED, Status.REOPENED)
                or name == "withdraw",
            )
        )
    return moves


def _services_for_update(ticket: Ticket) -> list[Service]:
    live = list(choosable_services())
    if all(service.pk != ticket.service_id for service in live):
        live.append(ticket.service)  # a retired service stays possible on its old tickets
    return live


def _ticket_page(request, ticket: Ticket, *, bound: dict | None = None, status: int = 200, conflict=""):
    user = request.user
    bound = bound or {}
    support = is_support(user)
    party = party_of(user, ticket)
    version = {"version": ticket.version}
    rating = getattr(ticket, "rating", None)
    conversation, files = selectors.ticket_conversation_and_files(user, ticket)
    context = {
        "ticket": ticket,
        "support": support,
        "conflict": conflict,
        "conversation": conversation,
        "files": files,
        "rating": rating,
        "reply_form": bound.get("reply") or ReplyForm(initial=version),
        "can_reply": ticket.status != Status.CLOSED,
        "status_moves": _status_moves(ticket, party, bound.get("status")),
        "files_not_kept": FILES_NOT_KEPT,
        # A paused clock's time left is on the clock rows; a running one's due time is on the ticket.
        "sla_clocks": selectors.ticket_sla_clocks(ticket) if ticket.status == Status.PENDING else {},
        # Why the clocks stood still while the site was down (asked only when they did: no query otherwise).
        "outage_pauses": (
            windows_not_counted(
                ticket.site_id, ticket.sla_id, ticket.created_at, ticket.resolved_at or timezone.now()
            )
            if ticket.outage_paused_minutes
            else []
        ),
    }
    if party == REQUESTER and ticket.status in (Status.RESOLVED, Status.CLOSED) and rating is None:
        context["rating_form"] = bound.get("rating") or RatingForm(initial=version)
    if ticket.status == Status.RESOLVED and ticket.resolved_at:
        # Shown to the requester; services.ticket_change_status is what enforces the window.
        context["reopen_until"] = ticket.resolved_at + timedelta(days=settings.REOPEN_WINDOW_DAYS)
        context["reopen_open"] = timezone.now() <= context["reopen_until"]
    if party == SUPPORT:
        context.update(
            page_links=page_links.links_for(ticket),
            history=selectors.ticket_history(user, ticket),
            operational_clocks=ticket_operational_clocks(ticket.pk),
            take_form=(
                # Only an unassigned ticket is taken (services.ticket_take); a colleague's is reassigned.
                bound.get("take") or TakeForm(initial=version)
                if ticket.is_open and ticket.assignee_id is None
                else None
            ),
            assign_form=(
                bound.get("assign")
                or AssignForm(initial={**version, "assignee": ticket.assignee_id, "group": ticket.group_id})
                if ticket.status not in (Status.RESOLVED, Status.CLOSED)
                else None
            ),
            # The rarely used forms are pages of their own (ticket_action), fetched into their panels
            # when opened: their fields and pick-lists cost every page view otherwise.
            update_panel=ticket.is_open,
            # Panels of the apps above incidents (knowledge: suggested articles), incidents/hooks.py.
            extra_panels=hooks.ticket_panels(request, ticket),
            major_link_panel=ticket.is_open and not ticket.parent_id,
            major_update_form=(
                bound.get("major_update") or MajorUpdateForm(initial=version) if ticket.is_major else None
            ),
            children=list(selectors.major_incident_children(user, ticket)) if ticket.is_major else [],
            # What apps above incidents add (problems: the ticket's problem, known errors that fit it).
            ticket_panels=ticket_panels(user, ticket),
        )
    if ticket.is_major:
        # The service desk sees every linked ticket, so its list is the count; a requester's page counts.
        ticket.children_count = (
            len(context["children"]) if party == SUPPORT else selectors.major_incident_size(ticket)
        )
    return render(request, "incidents/ticket_detail.html", context, status=status)


@access_required
def ticket_detail(request, pk: int):
    return _ticket_page(request, _visible_ticket(request.user, pk))


# The ticket page's rarely used forms, each a page of its own: opened into its panel by static/js/tickets.js
# (?fragment=1: the form alone), the page without script, and where a refused change is shown again.
ACTION_PAGES = {
    "update": {
        "heading": lambda ticket: "Change impact, urgency, service, site or asset",
        "template": "incidents/includes/update_form.html",
        "form_name": "update_form",
        "offered": lambda ticket: ticket.is_open,
        "unavailable": "Only an open ticket's details can change.",
    },
    "major_link": {
        "heading": lambda t: "Link more tickets" if t.is_major else "Make this a major incident",
        "template": "incidents/includes/major_link_form.html",
        "form_name": "major_link_form",
        "offered": lambda ticket: ticket.is_open and not ticket.parent_id,
        "unavailable": "Only an open ticket that is not part of a major incident can become one.",
    },
}


def _action_page(request, ticket: Ticket, key: str, form: VersionedForm | None, *, status=200, conflict=""):
    page = ACTION_PAGES[key]
    offered = form is not None and (form.is_bound or page["offered"](ticket))
    context = {
        "ticket": ticket,
        "heading": page["heading"](ticket),
        "form_template": page["template"] if offered else None,
        page["form_name"]: form,
        "unavailable": page["unavailable"],
        "conflict": conflict,
    }
    fragment = request.method == "GET" and request.GET.get("fragment") == "1"
    template = "incidents/includes/action_fragment.html" if fragment else "incidents/ticket_action.html"
    return render(request, template, context, status=status)


def _support_ticket(request, pk: int) -> Ticket:
    """A visible ticket (404 otherwise) for a page of the service desk's (then a 403 for a role the access
    table does not give it: common.access.DECIDED_AFTER_SCOPE)."""
    ticket = _visible_ticket(request.user, pk)
    require_page(request)
    return ticket


def _refused(request, ticket: Ticket, key: str, form: VersionedForm, *, status: int, conflict: str = ""):
    """A change that was not saved: its own form's page for the service desk, else the ticket page."""
    if key in ACTION_PAGES and is_support(request.user):
        return _action_page(request, ticket, key, form, status=status, conflict=conflict)
    return _ticket_page(request, ticket, bound={key: form}, status=status, conflict=conflict)


def _act(request, pk: int, key: str, form: VersionedForm, action, *, success, **error_options):
    """Run one action of the ticket page: the form parsed, the service called with the version the page
    showed. A conflict re-renders the current ticket with the typed text kept (409) and saves nothing."""
    ticket = _visible_ticket(request.user, pk)
    if form.is_valid():
        try:
            result = action(ticket, form.cleaned_data)
        except TicketConflict as conflict:
            ticket = _visible_ticket(request.user, pk)
            form.refresh_version(ticket.version, str(conflict))
            return _refused(request, ticket, key, form, status=409, conflict=str(conflict))
        except ValidationError as invalid:
            errors_onto(form, invalid, **error_options)
        else:
            messages.success(request, success(result) if callable(success) else success)
            return redirect("ticket_detail", pk)
        ticket = _visible_ticket(request.user, pk)  # the failed change was rolled back: show what is stored
    return _refused(request, ticket, key, form, status=400)


@access_required
@require_POST
def ticket_reply(request, pk: int):
    """A public reply or an internal note, with files; files alone are attached without a message."""
    form = ReplyForm(request.POST, request.FILES)

    def action(ticket, data):
        if not data["body"].strip() and data["files"]:
            return services.ticket_attach(
                ticket=ticket,
                by=request.user,
                files=data["files"],
                internal=form.internal,
                expected_version=data["version"],
            )
        return services.ticket_comment(
            ticket=ticket,
            by=request.user,
            body=data["body"],
            internal=form.internal,
            files=data["files"],
            expected_version=data["version"],
        )

    if form.is_valid() and form.internal:
        done = "Internal note saved: the requester does not see it."
    else:
        done = "Sent."
    return _act(request, pk, "reply", form, action, success=done, default_field="files")


@access_required
@require_POST
def ticket_status(request, pk: int):
    target = request.POST.get("to", "")
    form = StatusForm(request.POST, target=target if target in Status.values else Status.NEW)

    def action(ticket, data):
        return services.ticket_change_status(
            ticket=ticket,
            to=data["to"],
            by=request.user,
            expected_version=data["version"],
            pending_reason=data.get("pending_reason", ""),
            supplier=data.get("supplier"),
            resolution_code=data.get("resolution_code", ""),
            resolution_note=data.get("resolution_note", ""),
            first_contact=data.get("first_contact", False),
            note=data.get("note", ""),
        )

    return _act(
        request,
        pk,
        "status",
        form,
        action,
        success=lambda ticket: f"{ticket.reference} is now {ticket.get_status_display().lower()}.",
    )


@access_required
@require_POST
def ticket_take(request, pk: int):
    def action(ticket, data):
        return services.ticket_take(ticket=ticket, by=request.user, expected_version=data["version"])

    return _act(
        request,
        pk,
        "take",
        TakeForm(request.POST),
        action,
        success=lambda t: f"You took {t.reference}.",
        default_field=None,
    )


@access_required
@require_POST
def ticket_assign(request, pk: int):
    def action(ticket, data):
        return services.ticket_assign(
            ticket=ticket,
            by=request.user,
            assignee=data["assignee"],
            group=data["group"],
            expected_version=data["version"],
        )

    return _act(request, pk, "assign", AssignForm(request.POST), action, success="Assignment saved.")


@access_required
@require_GET
def ticket_update_form(request, pk: int):
    """The details form's page (or, ?fragment=1, the form alone for its panel on the ticket page)."""
    ticket = _support_ticket(request, pk)
    form = TicketUpdateForm.for_ticket(ticket, _services_for_update(ticket)) if ticket.is_open else None
    return _action_page(request, ticket, "update", form)


@access_required
@require_POST
def ticket_update(request, pk: int):
    ticket = _visible_ticket(request.user, pk)
    form = TicketUpdateForm(request.POST, services=_services_for_update(ticket))

    def action(ticket, data):
        return services.ticket_update(
            ticket=ticket,
            by=request.user,
            expected_version=data["version"],
            impact=data["impact"],
            urgency=data["urgency"],
            service=data["service"],
            site=data["site"],
            asset=data["asset_tag"],
        )

    return _act(
        request, pk, "update", form, action, success="Details saved.", aliases=TicketUpdateForm.ERROR_ALIASES
    )


@access_required
@require_POST
def ticket_rate(request, pk: int):
    def action(ticket, data):
        return services.ticket_rate(
            ticket=ticket, by=request.user, score=data["score"], comment=data["comment"]
        )

    return _act(
        request, pk, "rating", RatingForm(request.POST), action, success="Thank you for rating this ticket."
    )


@access_required
@require_GET
def ticket_major_link_form(request, pk: int):
    """The major-incident form's page (or, ?fragment=1, the form alone for its panel on the ticket page)."""
    ticket = _support_ticket(request, pk)
    return _action_page(request, ticket, "major_link", MajorLinkForm(initial={"version": ticket.version}))


@access_required
@require_POST
def ticket_major_link(request, pk: int):
    """Mark this ticket as a major incident and link the named tickets under it."""

    def action(ticket, data):
        wanted = [pk_ for pk_ in data["references"] if pk_ != ticket.pk]
        children = selectors.tickets_by_pk(request.user, wanted)
        missing = sorted(set(wanted) - {child.pk for child in children})
        if missing:
            raise ValidationError(
                {"references": f"No open ticket with the number {', '.join(map(str, missing[:5]))}."}
            )
        services.major_incident_link(parent=ticket, children=children, by=request.user)
        return len(children)

    return _act(
        request,
        pk,
        "major_link",
        MajorLinkForm(request.POST),
        action,
        success=lambda n: f"This is a major incident now; {n} ticket{'s' if n != 1 else ''} linked.",
    )


@access_required
@require_POST
def ticket_major_update(request, pk: int):
    """One public update on the major incident and on each of its open tickets."""

    def action(ticket, data):
        return services.major_incident_update(parent=ticket, by=request.user, body=data["body"])

    return _act(
        request,
        pk,
        "major_update",
        MajorUpdateForm(request.POST),
        action,
        success=lambda n: f"Update posted on {n} ticket{'s' if n != 1 else ''}; each requester is told.",
    )


# --- files -----------------------------------------------------------------------------------------------


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the exact name as RFC 6266 / 5987 filename*."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@access_required
def attachment_download(request, pk: int, file_pk: int):
    """A ticket's file, only through the ticket scope (internal files only for support), always as a
    download that the browser may neither sniff nor run."""
    attachment = visible_attachments(request.user).filter(pk=file_pk, ticket_id=pk).first()
    if attachment is None:
        raise Http404("No such file.")
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    response = FileResponse(handle, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition(attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- rating by the signed link ---------------------------------------------------------------------------


@access_required
@require_http_methods(["GET", "POST"])
def rate_by_link(request, token: str):
    """The rating page the resolution mail links to: no sign-in; the signed token names the ticket. Opening
    it records nothing; sending the form records the rating once."""
    try:
        ticket_id = notifications.rating_ticket_id(token)
    except signing.SignatureExpired:
        return render(request, "incidents/rate_by_link_invalid.html", {"expired": True}, status=400)
    except (signing.BadSignature, ValueError, KeyError, TypeError):
        return render(request, "incidents/rate_by_link_invalid.html", {"expired": False}, status=400)
    ticket = selectors.ticket_for_rating(ticket_id)
    if ticket is None:
        return render(request, "incidents/rate_by_link_invalid.html", {"expired": False}, status=404)
    if getattr(ticket, "rating", None) is not None:
        return render(request, "incidents/rate_by_link.html", {"ticket": ticket, "rated": True})
    if request.method == "POST":
        form = RatingLinkForm(request.POST)
        if form.is_valid():
            try:
                services.ticket_rate(
                    ticket=ticket,
                    by=None,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                    via_link=True,
                )
            except ValidationError as invalid:
                errors_onto(form, invalid, default_field="score")
            else:
                return redirect("rate_by_link", token)
        ticket = selectors.ticket_for_rating(ticket_id)
        if getattr(ticket, "rating", None) is not None:  # rated meanwhile (another tab): nothing changed
            return render(request, "incidents/rate_by_link.html", {"ticket": ticket, "rated": True})
        status = 400
    else:
        score = request.GET.get("score", "")
        form = RatingLinkForm(initial={"score": int(score)} if score in {"1", "2", "3", "4", "5"} else {})
        status = 200
    return render(
        request,
        "incidents/rate_by_link.html",
        {
            "ticket": ticket,
            "form": form,
            "rateable": ticket.status in (Status.RESOLVED, Status.CLOSED),
        },
        status=status,
    )
