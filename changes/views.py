"""Change pages: the list, a change's page with its steps, raise and edit, and the change calendar.

Thin: parse, call changes.services, render. Who may open each page is common/access.py; who may take
each step is the lifecycle table (changes/lifecycle.py), asked by the services.
"""

from __future__ import annotations

import calendar as month_calendar
from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from common import access
from common.access import access_required
from common.pagination import NearerEndPaginator, fill_page

from . import lifecycle, selectors, services
from .filters import ChangeFilter
from .forms import ChangeForm, ChangeReferenceForm, LinkIncidentForm, TransitionForm
from .models import Change, ChangeStatus, Outcome

CHANGES_PER_PAGE = 25


def _change_or_404(pk: int) -> Change:
    try:
        return selectors.change_page(pk)
    except Change.DoesNotExist:
        raise Http404("No such change.") from None


def _errors_into(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@access_required
@require_safe
def change_list(request):
    change_filter = ChangeFilter(request.GET, queryset=Change.objects.order_by("-created_at", "-id"))
    ids = change_filter.qs.values_list("pk", flat=True)
    page = NearerEndPaginator(ids, CHANGES_PER_PAGE).get_page(request.GET.get("page"))
    page = fill_page(page, selectors.change_list())
    return render(
        request,
        "changes/change_list.html",
        {
            "filter": change_filter,
            "page": page,
            "filtered": any(request.GET.get(name) for name in change_filter.form.fields),
            "may_raise": access.may(request.user, lifecycle.WORK),
        },
    )


def _detail(request, change: Change, *, transition_form=None, link_form=None, status=200):
    parties = lifecycle.parties_of(request.user)
    steps = lifecycle.allowed_steps(change.status, change.type, parties)
    may_approve_now = (
        lifecycle.APPROVE in parties
        and (
            change.status == ChangeStatus.ASSESSED
            or (change.type == "emergency" and change.status in services.AFTER_THE_FACT)
        )
        and not any(a.current and a.approver_id == request.user.pk for a in change.approvals.all())
    )
    if change.type == "emergency" and change.status in services.AFTER_THE_FACT and may_approve_now:
        steps = [*steps, ("approved", lifecycle.TRANSITIONS[("assessed", "approved")])]
    if not may_approve_now:
        steps = [(to, step) for to, step in steps if to not in ("approved", "rejected")]
    return render(
        request,
        "changes/change_detail.html",
        {
            "change": change,
            "conflicts": selectors.change_conflicts(change),
            "steps": steps,
            "transition_form": transition_form or TransitionForm(),
            "link_form": link_form or LinkIncidentForm(),
            "outcomes": Outcome.choices,
            "may_work": lifecycle.WORK in parties,
            "may_edit": lifecycle.WORK in parties and change.status in services.EDITABLE_STATUSES,
            "approvals_needed": services.approvals_needed(change_type=change.type, risk=change.risk),
        },
        status=status,
    )


@access_required
@require_safe
def change_detail(request, pk: int):
    return _detail(request, _change_or_404(pk))


@access_required
@require_http_methods(["GET", "POST"])
def change_new(request):
    form = ChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.service_fields()
        try:
            change = services.change_create(
                by=request.user,
                type=form.cleaned_data["type"],
                template=form.cleaned_data.get("template"),
                **data,
            )
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, f"{change.reference} is saved as a draft.")
            return redirect("changes:change_detail", pk=change.pk)
    return render(request, "changes/change_form.html", {"form": form}, status=400 if form.errors else 200)


@access_required
@require_http_methods(["GET", "POST"])
def change_edit(request, pk: int):
    change = _change_or_404(pk)
    form = ChangeForm(request.POST or None, instance=change, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_update(change=change, by=request.user, **form.service_fields())
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, f"{change.reference} is saved.")
            return redirect("changes:change_detail", pk=change.pk)
    return render(
        request,
        "changes/change_form.html",
        {"form": form, "change": change},
        status=400 if form.errors else 200,
    )


@access_required
@require_POST
def change_transition(request, pk: int):
    change = _change_or_404(pk)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            services.change_transition(change=change, by=request.user, **form.cleaned_data)
        except PermissionDenied:
            raise
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, f"{change.reference}: done.")
            return redirect("changes:change_detail", pk=change.pk)
    return _detail(request, selectors.change_page(pk), transition_form=form, status=400)


@access_required
@require_POST
def change_link(request, pk: int):
    """Link an incident as caused by this change."""
    from incidents.models import Ticket, pk_from_reference

    change = _change_or_404(pk)
    form = LinkIncidentForm(request.POST)
    if form.is_valid():
        ticket_pk = pk_from_reference(form.cleaned_data["ticket"])
        ticket = Ticket.objects.filter(pk=ticket_pk).first() if ticket_pk else None
        if ticket is None:
            form.add_error("ticket", "No ticket has this reference.")
        else:
            try:
                services.change_link_incident(change=change, ticket=ticket, by=request.user)
            except ValidationError as error:
                _errors_into(form, error)
            else:
                messages.success(request, f"{ticket.reference} is linked as caused by {change.reference}.")
                return redirect("changes:change_detail", pk=change.pk)
    return _detail(request, selectors.change_page(pk), link_form=form, status=400)


# --- named from other apps' pages: a problem's fix, an incident's cause ---------------------------------

STALE_PAGE = "The page changed since you opened it: nothing was done. Look at it again and retry."


def _form_refusal(form: ChangeReferenceForm) -> str:
    if "version" in form.errors:
        return STALE_PAGE
    return " ".join(e for errors in form.errors.values() for e in errors) + " Nothing was changed."


@access_required
@require_POST
def problem_fix(request, problem_pk: int):
    """The problem page's "Fixed by change" panel: name (or stop naming) the change carrying the fix,
    through the problem's own service (problems.services.problem_update, field `fixed_by_change`)."""
    from problems.models import Problem
    from problems.services import ProblemConflict, problem_update

    problem = Problem.objects.filter(pk=problem_pk).first()
    if problem is None:
        raise Http404("No such problem.")
    back = reverse("problems:problem_detail", args=[problem.pk]) + "#fix"
    form = ChangeReferenceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_refusal(form))
        return redirect(back)
    change_pk = form.cleaned_data["change"]
    try:
        problem_update(
            problem=problem,
            by=request.user,
            changes={"fixed_by_change": change_pk},
            expected_version=form.cleaned_data["version"],
        )
    except ProblemConflict as conflict:
        messages.error(request, str(conflict))
    except ValidationError as invalid:
        messages.error(request, " ".join(invalid.messages) + " Nothing was changed.")
    else:
        messages.success(
            request,
            f"{problem.reference}: the fix is carried by {Change(pk=change_pk).reference}."
            if change_pk
            else f"{problem.reference} names no change as its fix.",
        )
    return redirect(back)


@access_required
@require_POST
def ticket_caused_by(request, ticket_pk: int):
    """The ticket page's "Caused by a change" panel: name (or stop naming) the change that caused it."""
    from incidents.permissions import visible_tickets

    ticket = visible_tickets(request.user).filter(pk=ticket_pk).first()
    if ticket is None:
        raise Http404("No such ticket.")
    back = reverse("ticket_detail", args=[ticket.pk]) + "#caused-by"
    form = ChangeReferenceForm(request.POST)
    if form.is_valid() and form.cleaned_data["version"] != ticket.version:
        messages.error(request, STALE_PAGE)
        return redirect(back)
    if not form.is_valid():
        messages.error(request, _form_refusal(form))
        return redirect(back)
    change_pk = form.cleaned_data["change"]
    change = Change.objects.filter(pk=change_pk).first() if change_pk else None
    if change_pk and change is None:
        messages.error(request, f"There is no change {Change(pk=change_pk).reference}. Nothing was changed.")
        return redirect(back)
    try:
        services.incident_caused_by_set(ticket=ticket, change=change, by=request.user)
    except ValidationError as invalid:
        messages.error(request, " ".join(invalid.messages) + " Nothing was changed.")
    else:
        messages.success(
            request,
            f"{ticket.reference} is linked as caused by {change.reference}."
            if change
            else f"{ticket.reference} is no longer linked to a change.",
        )
    return redirect(back)


# --- the calendar ----------------------------------------------------------------------------------------


def _day(text: str | None) -> date:
    try:
        return date.fromisoformat(text) if text else timezone.localdate()
    except ValueError:
        return timezone.localdate()


@access_required
@require_safe
def calendar(request):
    """Month or week: changes, the services' critical periods, and other registered kinds (outages)."""
    view = "week" if request.GET.get("view") == "week" else "month"
    day = _day(request.GET.get("date"))
    if view == "week":
        first = day - timedelta(days=day.weekday())
        last = first + timedelta(days=6)
        previous, following = first - timedelta(days=7), first + timedelta(days=7)
        title = f"Week of {first:%-d %B %Y}"
    else:
        first = day.replace(day=1)
        last = first.replace(day=month_calendar.monthrange(first.year, first.month)[1])
        previous = (first - timedelta(days=1)).replace(day=1)
        following = last + timedelta(days=1)
        title = f"{first:%B %Y}"
    entries = selectors.calendar_entries(request.user, first, last)
    days = selectors.calendar_days(entries, first, last)
    return render(
        request,
        "changes/calendar.html",
        {
            "view": view,
            "title": title,
            "days": days,
            "lead_blanks": range(first.weekday()) if view == "month" else range(0),
            "entries": entries,
            "previous": previous,
            "following": following,
            "today": timezone.localdate(),
            "sees_all": access.may(request.user, "change.view"),
            "other_kinds": selectors.registered_kinds(),
        },
    )
