"""The staff member's pages: log a ticket (with the questions its service asks) and My tickets."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from catalogue.forms import RequestAnswersForm
from catalogue.models import Service, TicketKind
from catalogue.selectors import choosable_services, service_id_for_asset_type, service_with_questions
from common.access import access_required
from common.pagination import NearerEndPaginator
from sites.models import Asset, Site

from .. import hooks, selectors, services
from ..filters import MyTicketsFilter
from ..forms import (
    FILES_NOT_KEPT,
    TicketLogForm,
    errors_onto,
)
from ..models import Ticket
from ..permissions import is_support
from .paging import TICKETS_PER_PAGE

# --- logging a ticket ------------------------------------------------------------------------------------


def _questions(service: Service | None, kind: str) -> list:
    """The extra questions of a service request on `service` (none for an incident)."""
    if service is None or kind != TicketKind.REQUEST or TicketKind.REQUEST not in service.kinds:
        return []
    return list(service_with_questions(service.pk).request_fields.all())


def _initial_from_query(params, services: dict[int, Service]) -> tuple[dict, Asset | None]:
    """?service=, ?kind=, ?site= and ?asset= (an asset label's tag) fill the form in. An asset brings its
    site and the service its type belongs to (catalogue.AssetTypeService), and is said in words; a service
    that takes one kind of ticket brings the kind, and a label (on a device) starts as a fault."""
    initial: dict = {key: params[key] for key in ("service", "site") if params.get(key, "").isdigit()}
    if params.get("kind") in TicketKind.values:
        initial["kind"] = params["kind"]
    # "No, log my ticket" from a suggested article brings back what the person had typed.
    summary = " ".join(params.get("summary", "").replace("\x00", "").split())[:200]
    if summary:
        initial["summary"] = summary
    asset = None
    tag = params.get("asset", "").strip()[:32]
    if tag:
        initial["asset_tag"] = tag.upper()
        asset = selectors.asset_for_label(tag)
        if asset is not None:
            initial["site"] = asset.site_id
            initial.setdefault("service", service_id_for_asset_type(asset.type))
    service = services.get(int(initial.get("service") or 0))
    if service is None:
        initial.pop("service", None)
    elif "kind" not in initial:
        if len(service.kinds) == 1:
            initial["kind"] = service.kinds[0]
        elif asset is not None and TicketKind.INCIDENT in service.kinds:
            initial["kind"] = TicketKind.INCIDENT
    return initial, asset


# The log form's fields folded under "More details (optional)"; opened when one of them needs an answer.
MORE_DETAILS = ("site", "asset_tag", "description", "files")


def _site_name(site_id) -> str:
    try:
        return Site.objects.filter(pk=int(site_id)).values_list("name", flat=True).first() or ""
    except (TypeError, ValueError):
        return ""


@access_required
def ticket_new(request):
    """Log an incident or a service request; support roles log on a caller's behalf."""
    support = is_support(request.user)
    form_kwargs = {"user": request.user, "services": list(choosable_services()), "support": support}
    answers_form, notice, status, asset = None, "", 200, None
    if request.method == "POST":
        form = TicketLogForm(request.POST, request.FILES, **form_kwargs)
        valid = form.is_valid()
        service, kind = form.chosen()
        questions = _questions(service, kind)
        if questions and request.POST.get("questions_for") == str(service.pk):
            answers_form = RequestAnswersForm(request.POST, request_fields=questions)
        elif questions:
            # The page the person sent did not show this service's questions (no script): show them,
            # keep everything typed, save nothing yet.
            answers_form = RequestAnswersForm(request_fields=questions)
            if valid:
                notice = f"{service.name} asks a few more questions: answer them below, then send the ticket."
                valid = False
        if valid:
            try:
                ticket = services.ticket_log(
                    **form.service_arguments(),
                    answers={f.key: request.POST.get(f"answers-{f.key}", "") for f in questions},
                    files=form.cleaned_data["files"],
                )
            except ValidationError as invalid:
                errors_onto(
                    form,
                    invalid,
                    aliases=form.ERROR_ALIASES,
                    answers_form=answers_form,
                    default_field="files",
                )
            else:
                hooks.ticket_logged.send(sender=Ticket, ticket=ticket, request=request)
                team = ticket.group.name if ticket.group else "service desk"
                messages.success(
                    request,
                    f"{ticket.reference} is logged and the {team} team is told. "
                    "You will get an e-mail when it moves.",
                )
                return redirect("ticket_detail", ticket.pk)
        status = 200 if notice else 400
        asset = form.cleaned_data.get("asset_tag") if hasattr(form, "cleaned_data") else None
    else:
        services_by_pk = {service.pk: service for service in form_kwargs["services"]}
        initial, asset = _initial_from_query(request.GET, services_by_pk)
        form = TicketLogForm(initial=initial, **form_kwargs)
        service = services_by_pk.get(int(initial.get("service") or 0))
        questions = _questions(service, initial.get("kind", ""))
        if questions:
            answers_form = RequestAnswersForm(request_fields=questions)
    return render(
        request,
        "incidents/ticket_new.html",
        {
            "form": form,
            "asset": asset,
            "kind": form.chosen()[1] if form.is_bound else form.initial.get("kind", ""),
            "site_name": _site_name(form["site"].value()),
            "more_open": any(form[name].errors for name in MORE_DETAILS)
            or (not support and not form["site"].value()),
            "answers_form": answers_form,
            "questions_service": service if answers_form is not None else None,
            "notice": notice,
            "files_lost": FILES_NOT_KEPT if request.method == "POST" and request.FILES else "",
            "support": support,
            # Panels of the apps above incidents (knowledge: suggested articles), incidents/hooks.py.
            "log_form_panels": hooks.log_form_panels(),
        },
        status=status,
    )


@access_required
def ticket_new_questions(request):
    """The extra questions of one service, as a fragment the log form's script puts in place."""
    try:
        service = service_with_questions(int(request.GET.get("service", "")))
    except (ValueError, Service.DoesNotExist):
        service = None
    if service is not None and not service.can_be_chosen:
        service = None
    questions = _questions(service, request.GET.get("kind", ""))
    return render(
        request,
        "incidents/includes/request_questions.html",
        {
            "answers_form": RequestAnswersForm(request_fields=questions) if questions else None,
            "questions_service": service,
        },
    )


# --- my tickets ------------------------------------------------------------------------------------------


@access_required
def my_tickets(request):
    """The requester's tickets as a compact list (a row each), open or closed, searchable."""
    mine = selectors.requester_tickets(request.user)
    ticket_filter = MyTicketsFilter(request.GET, queryset=mine)
    page = NearerEndPaginator(ticket_filter.qs, TICKETS_PER_PAGE).get_page(request.GET.get("page"))
    state = ticket_filter.form.cleaned_data.get("state") if ticket_filter.is_valid() else "open"
    searched = bool(ticket_filter.form.cleaned_data.get("q")) if ticket_filter.is_valid() else False
    # Only an empty list asks whether there is anything at all, to say the right thing.
    has_any = bool(page.paginator.count) or mine.exists()
    return render(
        request,
        "incidents/my_tickets.html",
        {
            "page": page,
            "filter": ticket_filter,
            "state": state,
            "states": MyTicketsFilter.STATES,
            "searched": searched,
            "has_any": has_any,
        },
    )
