"""The problem pages: thin, each parses, calls a service or a selector and renders. Who may open them is
the access table's (common/access.py); staff are refused every one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from common import access
from common.access import access_required
from common.conflicts import StaleCopy
from common.pagination import NearerEndPaginator, fill_page
from incidents.forms import errors_onto
from incidents.models import Ticket
from incidents.permissions import visible_tickets

from . import problem_extensions, selectors, services
from .filters import ProblemFilter
from .forms import ImprovementForm, ProblemForm, ProblemStatusForm, QueueLinkForm, TicketLinkForm, TicketsForm
from .models import OPEN_IMPROVEMENT_STATUSES, Improvement, Problem, RecurrenceProposal

PER_PAGE = 25


def _problem(pk: int) -> Problem:
    try:
        return selectors.problem_for_page(pk)
    except Problem.DoesNotExist:
        raise Http404("No such problem.") from None


def _ticket(user, pk) -> Ticket:
    ticket = visible_tickets(user).filter(pk=pk).first()
    if ticket is None:
        raise Http404("No such ticket.")
    return ticket


STALE_TICKET = "The ticket changed since you opened it: nothing was done. Look at it again and retry."


def _ticket_page_is_current(request, ticket: Ticket) -> bool:
    """A form of the ticket page carries the version the person saw (as every ticket-page form does): a
    change made from a stale copy is refused, with the same words as the ticket page's own forms."""
    if request.POST.get("version") == str(ticket.version):
        return True
    messages.error(request, STALE_TICKET)
    return False


@access_required
def problem_list(request):
    data = request.GET.copy()
    if not data.getlist("status"):
        data.setlist("status", ["open"])
    problem_filter = ProblemFilter(data, queryset=selectors.problem_list())
    problems = problem_filter.qs
    page = NearerEndPaginator(problems.values_list("pk", flat=True), PER_PAGE).get_page(
        request.GET.get("page")
    )
    fill_page(page, selectors.problem_list())
    return render(
        request,
        "problems/problem_list.html",
        {
            "filter": problem_filter,
            "page": page,
            "proposals": selectors.proposals_with_evidence(),
            "may_dismiss": access.may(request.user, "problem.dismiss_proposal"),
        },
    )


@access_required
@require_http_methods(["GET", "POST"])
def problem_new(request):
    ticket = None
    if request.GET.get("ticket", "").isdigit():
        ticket = _ticket(request.user, request.GET["ticket"])
    if request.method == "POST":
        form = ProblemForm(request.POST)
        if form.is_valid():
            data = form.changes()
            try:
                problem = services.problem_log(
                    by=request.user,
                    summary=data["summary"],
                    description=data["description"],
                    service=data["service"],
                    impact=data["impact"],
                    urgency=data["urgency"],
                    sites=data["sites"],
                    assets=data["assets"],
                    owner=data["owner"],
                    group=data["group"],
                    tickets=[ticket] if ticket is not None else [],
                )
            except ValidationError as invalid:
                errors_onto(form, invalid)
            else:
                messages.success(request, f"{problem.reference} logged.")
                return redirect("problems:problem_detail", pk=problem.pk)
    else:
        initial = {"owner": request.user.pk}
        if ticket is not None:
            initial |= {
                "summary": ticket.summary,
                "service": ticket.service_id,
                "sites": [ticket.site_id],
                "asset_tags": ticket.asset.asset_tag if ticket.asset_id else "",
            }
        form = ProblemForm(initial=initial)
    return render(request, "problems/problem_form.html", {"form": form, "ticket": ticket, "problem": None})


@access_required
def problem_detail(request, pk: int):
    problem = _problem(pk)
    return _problem_page(request, problem)


def _problem_page(request, problem: Problem, *, status_form=None, status: int = 200):
    incidents = selectors.problem_incidents(problem)
    page = NearerEndPaginator(incidents.values_list("pk", flat=True), PER_PAGE).get_page(
        request.GET.get("page")
    )
    fill_page(page, selectors.problem_incidents(problem))
    now = timezone.now()
    for ticket in page:
        ticket.business_time = selectors.business_time_of(ticket.created_at, ticket.resolved_at, now)
    return render(
        request,
        "problems/problem_detail.html",
        {
            "problem": problem,
            "page": page,
            "cost": selectors.problem_cost(problem, now=now),
            "history": selectors.problem_history(problem)[:50],
            # What apps above problems add (changes: the change that carries the permanent fix;
            # knowledge: the workaround for staff as a help article).
            "problem_panels": problem_extensions.problem_panels(request.user, problem),
            "status_form": status_form
            or ProblemStatusForm(problem=problem, initial={"version": problem.version}),
        },
        status=status,
    )


@access_required
@require_http_methods(["GET", "POST"])
def problem_edit(request, pk: int):
    problem = _problem(pk)
    if request.method == "POST":
        form = ProblemForm(request.POST, problem=problem)
        if form.is_valid():
            try:
                services.problem_update(
                    problem=problem,
                    by=request.user,
                    changes=form.changes(),
                    expected_version=form.cleaned_data["version"],
                )
            except services.ProblemConflict as conflict:
                form.add_error(None, str(conflict))
            except ValidationError as invalid:
                errors_onto(form, invalid)
            else:
                messages.success(request, f"{problem.reference} saved.")
                return redirect("problems:problem_detail", pk=problem.pk)
    else:
        form = ProblemForm(initial=ProblemForm.initial_for(problem), problem=problem)
    return render(request, "problems/problem_form.html", {"form": form, "problem": problem, "ticket": None})


@access_required
@require_POST
def problem_status(request, pk: int):
    problem = _problem(pk)
    form = ProblemStatusForm(request.POST, problem=problem)
    if form.is_valid():
        try:
            services.problem_change_status(
                problem=problem,
                to=form.cleaned_data["to"],
                by=request.user,
                expected_version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
                open_incidents=form.cleaned_data["open_incidents"],
                message=form.cleaned_data["message"],
            )
        except services.ProblemConflict as conflict:
            form.add_error(None, str(conflict))
        except ValidationError as invalid:
            errors_onto(form, invalid, default_field="to")
        else:
            messages.success(request, f"{problem.reference} is now {problem.get_status_display().lower()}.")
            return redirect("problems:problem_detail", pk=problem.pk)
    return _problem_page(request, _problem(problem.pk), status_form=form, status=400)


@access_required
@require_POST
def problem_link(request, ticket_pk: int):
    """The ticket page: link this incident to a problem by its reference."""
    ticket = _ticket(request.user, ticket_pk)
    form = TicketLinkForm(request.POST)
    back = reverse("ticket_detail", args=[ticket.pk]) + "#problem"
    if not _ticket_page_is_current(request, ticket):
        return redirect(back)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("problem", ["Give the problem's reference."])))
        return redirect(back)
    problem = form.cleaned_data["problem"]
    try:
        services.problem_link_incidents(problem=problem, tickets=[ticket], by=request.user)
    except ValidationError as invalid:
        messages.error(request, " ".join(invalid.messages))
    else:
        messages.success(request, f"{ticket.reference} is linked to {problem.reference}.")
    return redirect(back)


@access_required
@require_POST
def problem_unlink(request, pk: int):
    problem = _problem(pk)
    form = TicketsForm(request.POST)
    tickets = (
        list(visible_tickets(request.user).filter(pk__in=form.cleaned_data["tickets"]))
        if form.is_valid()
        else []
    )
    if not tickets:
        messages.error(request, "Select the incidents to unlink.")
    elif request.POST.get("back") == "ticket" and not _ticket_page_is_current(request, tickets[0]):
        pass
    else:
        count = services.problem_unlink_incidents(problem=problem, tickets=tickets, by=request.user)
        messages.success(
            request, f"{count} incident{'s' if count != 1 else ''} unlinked from {problem.reference}."
        )
    back = request.POST.get("back", "")
    if back == "ticket" and len(tickets) == 1:
        return redirect(reverse("ticket_detail", args=[tickets[0].pk]) + "#problem")
    return redirect("problems:problem_detail", pk=problem.pk)


@access_required
@require_POST
def queue_link(request):
    """The queue: the selected incidents linked to one problem in one step."""
    form = QueueLinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("work_queue")
    problem = form.cleaned_data["problem"]
    tickets = list(visible_tickets(request.user).filter(pk__in=form.cleaned_data["tickets"]))
    try:
        count = services.problem_link_incidents(problem=problem, tickets=tickets, by=request.user)
    except ValidationError as invalid:
        messages.error(request, " ".join(invalid.messages))
        return redirect("work_queue")
    messages.success(request, f"{count} incident{'s' if count != 1 else ''} linked to {problem.reference}.")
    return redirect("problems:problem_detail", pk=problem.pk)


@access_required
@require_POST
def workaround_apply(request, pk: int, ticket_pk: int):
    """The ticket page's known-error hint: resolve the incident with the workaround, in one step."""
    problem = _problem(pk)
    ticket = _ticket(request.user, ticket_pk)
    if not _ticket_page_is_current(request, ticket):
        return redirect("ticket_detail", pk=ticket.pk)
    try:
        services.known_error_apply(problem=problem, ticket=ticket, by=request.user)
    except ValidationError as invalid:
        messages.error(request, " ".join(invalid.messages))
    else:
        messages.success(request, f"{ticket.reference} resolved with the workaround of {problem.reference}.")
    return redirect("ticket_detail", pk=ticket.pk)


def _proposal(pk: int) -> RecurrenceProposal:
    proposal = RecurrenceProposal.objects.filter(pk=pk).first()
    if proposal is None:
        raise Http404("No such proposal.")
    return proposal


@access_required
@require_POST
def proposal_accept(request, pk: int):
    try:
        problem = services.proposal_accept(proposal=_proposal(pk), by=request.user)
    except ValidationError as invalid:
        messages.error(request, " ".join(invalid.messages))
        return redirect("problems:problem_list")
    messages.success(request, f"{problem.reference} logged with its incidents linked.")
    return redirect("problems:problem_detail", pk=problem.pk)


@access_required
@require_POST
def proposal_dismiss(request, pk: int):
    try:
        services.proposal_dismiss(proposal=_proposal(pk), by=request.user)
    except ValidationError as invalid:
        messages.error(request, " ".join(invalid.messages))
    else:
        messages.success(request, "Dismissed: these incidents will not be proposed again.")
    return redirect("problems:problem_list")


# --- the improvement register ----------------------------------------------------------------------------


@access_required
def improvement_list(request):
    """The register, soonest due first; ?overdue=1 (the dashboard's figure) lists the overdue ones, ?open=1
    the planned and in progress."""
    improvements = selectors.improvement_list()
    overdue = request.GET.get("overdue") == "1"
    if overdue:
        improvements = improvements.filter(selectors.improvement_overdue_q(timezone.localdate()))
    elif request.GET.get("open") == "1":
        improvements = improvements.filter(status__in=OPEN_IMPROVEMENT_STATUSES)
    page = NearerEndPaginator(improvements.values_list("pk", flat=True), PER_PAGE).get_page(
        request.GET.get("page")
    )
    fill_page(page, selectors.improvement_list())
    today = timezone.localdate()
    for improvement in page:
        improvement.overdue = improvement.status in OPEN_IMPROVEMENT_STATUSES and improvement.due_on < today
    return render(request, "problems/improvement_list.html", {"page": page, "overdue": overdue})


@access_required
@require_http_methods(["GET", "POST"])
def improvement_new(request):
    """A new action; a signed-off report's commentary links here with its month and words filled in
    (?reason=manco&report_month=...&comment=...), so raising an action from it is one step."""
    if request.method == "POST":
        form = ImprovementForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                improvement = services.improvement_raise(by=request.user, **data)
            except ValidationError as invalid:
                errors_onto(form, invalid)
            else:
                messages.success(request, f"{improvement.reference} added to the improvement register.")
                return redirect("problems:improvement_list")
    else:
        initial = {"owner": request.user.pk}
        for name in ("reason", "report_month", "comment", "what", "kpi", "problem"):
            if request.GET.get(name):
                initial[name] = request.GET[name][:5000]
        form = ImprovementForm(initial=initial)
    return render(request, "problems/improvement_form.html", {"form": form, "improvement": None})


@access_required
@require_http_methods(["GET", "POST"])
def improvement_edit(request, pk: int):
    improvement = Improvement.objects.filter(pk=pk).select_related("problem").first()
    if improvement is None:
        raise Http404("No such action.")
    if request.method == "POST":
        form = ImprovementForm(request.POST, improvement=improvement)
        if form.is_valid():
            changes = dict(form.cleaned_data)
            version = changes.pop("version")
            try:
                services.improvement_update(
                    improvement=improvement, by=request.user, changes=changes, expected_version=version
                )
            except StaleCopy as conflict:
                form.add_error(None, str(conflict))
            except ValidationError as invalid:
                errors_onto(form, invalid)
            else:
                messages.success(request, f"{improvement.reference} saved.")
                return redirect("problems:improvement_list")
    else:
        form = ImprovementForm(
            improvement=improvement,
            initial={
                name: getattr(improvement, name)
                for name in ("what", "comment", "due_on", "status", "outcome", "version")
            }
            | {"owner": improvement.owner_id},
        )
    return render(request, "problems/improvement_form.html", {"form": form, "improvement": improvement})
