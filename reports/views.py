"""The ICT manager's pages: the live dashboard, the tickets behind each figure, the monthly reports.

Thin: parse the request, call a selector (reports.kpis) or a service (reports.services), render. Who reaches
them (the ICT Manager and Admin roles) is the access table's (common/access.py).
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.timesince import timesince
from django.views.decorators.http import require_POST

from common.access import access_required
from incidents.permissions import visible_tickets
from knowledge.selectors import KnowledgeFigures

from . import documents, kpis, services
from .charts import report_charts
from .filters import FigureTicketFilter
from .forms import CommentaryForm, FigureForm, RunRequestForm, ScopeForm, SignOffForm
from .models import SECTIONS, ReportRun
from .periods import month_period
from .stored_months import live_seconds

TICKETS_PER_PAGE = 50
DASHBOARD_CHART_WIDTH = 440
RUNS_PER_PAGE = 25
FILE_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _messages_from(invalid: ValidationError) -> str:
    return " ".join(invalid.messages)


@access_required
def dashboard(request):
    """This month so far (or a chosen month), with the change from the month before; every figure
    links to the tickets behind it. A fixed number of queries whatever the number of tickets."""
    form = ScopeForm(request.GET or None)
    scope = form.scope()
    period = month_period(form.chosen_month())
    stored = kpis.stored_report(period, scope)  # read, never counted here (docs/kpis.md)
    report = stored.report
    context: dict[str, object] = {"form": form, "report": report, "period": period.as_dict()}
    if report is not None:
        context |= {
            "period": report["period"],
            "counted_ago": _counted_ago(stored.counted_at),
            "recounted_every": _recounted_every(),
            "headlines": kpis.headline_rows(report),
            "charts": report_charts(report, width=DASHBOARD_CHART_WIDTH),
            "dimensions": kpis.DIMENSIONS,
            "figure_query": {"month": period.key, **scope.as_params()},
            "self_help": KnowledgeFigures(**report["self_help"]),
            # Open problems and overdue improvement actions when counted, each drilling to its list.
            "problem_figures": report["problem_figures"],
        }
    return render(request, "reports/dashboard.html", context)


def _counted_ago(counted_at) -> str:
    """How old the figures are, in words: "just now", "4 minutes ago"."""
    if counted_at is None:
        return ""
    now = timezone.now()
    if now - counted_at < timedelta(minutes=1):
        return "just now"
    return f"{timesince(counted_at, now)} ago"


def _recounted_every() -> str:
    seconds = max(10, live_seconds() // 2)
    return (
        "minute" if seconds == 60 else f"{seconds} seconds" if seconds < 120 else f"{seconds // 60} minutes"
    )


@access_required
def figure_tickets(request):
    """The tickets a dashboard figure counts, paginated (two queries for the list whatever its size)."""
    form = FigureForm(request.GET)
    if not form.is_valid():
        return render(request, "reports/figure_tickets.html", {"form": form}, status=400)
    try:
        period = month_period(form.cleaned_data["month"])
    except ValueError as exc:
        form.add_error("month", str(exc))
        return render(request, "reports/figure_tickets.html", {"form": form}, status=400)
    figure = kpis.FIGURES[form.cleaned_data["figure"]]
    tickets = kpis.tickets_behind(figure.key, period, tickets=visible_tickets(request.user))
    ticket_filter = FigureTicketFilter(request.GET, queryset=tickets)
    listed = ticket_filter.qs.select_related("site", "service", "group", "assignee").order_by(
        "created_at", "pk"
    )
    page = Paginator(listed, TICKETS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/figure_tickets.html",
        {
            "form": form,
            "figure": figure,
            "period": period,
            "filter": ticket_filter,
            "chosen": ticket_filter.chosen(),
            "page": page,
            "dashboard_query": {
                "month": period.key,
                **{k: request.GET[k] for k in ("town", "site", "group") if request.GET.get(k)},
            },
        },
    )


# --- the monthly report ---------------------------------------------------------------------------------


@access_required
def runs(request):
    """Every report run, newest month first, and the form to build a month's report."""
    if request.method == "POST":
        form = RunRequestForm(request.POST)
        if form.is_valid():
            try:
                run = services.report_run_request(month=form.cleaned_data["month"], by=request.user)
            except ValidationError as invalid:
                form.add_error("month", _messages_from(invalid))
            else:
                messages.success(
                    request, f"The {run.month:%B %Y} report (version {run.version}) is being built."
                )
                return redirect("reports:run_detail", pk=run.pk)
    else:
        form = RunRequestForm()
    listed = ReportRun.objects.select_related("requested_by", "signed_off_by").order_by("-month", "-version")
    page = Paginator(listed, RUNS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/runs.html",
        {"form": form, "page": page, "pdf_problem": documents.pdf_unavailable()},
        status=400 if form.errors else 200,
    )


def _run(pk: int) -> ReportRun:
    return get_object_or_404(ReportRun.objects.select_related("requested_by", "signed_off_by"), pk=pk)


def _run_page(request, run: ReportRun, *, commentary_form=None, sign_off_form=None, status=200):
    snapshot = run.snapshot or None
    return render(
        request,
        "reports/run_detail.html",
        {
            "run": run,
            "report": snapshot,
            "headlines": kpis.headline_rows(snapshot) if snapshot else [],
            "executive": kpis.EXECUTIVE_FIVE,
            "commentary_form": commentary_form or CommentaryForm(initial=run.commentary),
            "sign_off_form": sign_off_form or SignOffForm(),
            "sections": SECTIONS,
            "pdf_problem": documents.pdf_unavailable(),
            "later_versions": ReportRun.objects.filter(month=run.month, version__gt=run.version).count(),
            "stuck": services.report_run_stuck(run),
        },
        status=status,
    )


@access_required
def run_detail(request, pk: int):
    return _run_page(request, _run(pk))


@access_required
def run_progress(request, pk: int):
    """What the run's page polls while the report is built."""
    run = _run(pk)
    return JsonResponse(
        {
            "status": run.status,
            "status_label": run.get_status_display(),
            "progress": run.progress,
            "message": run.progress_message,
            "finished": run.is_settled,
            "redrawing": run.files_pending,
            "error": run.error,
            "stuck": services.report_run_stuck(run),
        }
    )


@access_required
@require_POST
def run_commentary(request, pk: int):
    run = _run(pk)
    form = CommentaryForm(request.POST)
    if not form.is_valid():
        return _run_page(request, run, commentary_form=form, status=400)
    try:
        services.report_run_comment(run=run, by=request.user, commentary=form.cleaned_data)
    except ValidationError as invalid:
        if hasattr(invalid, "error_dict"):
            for field, errors in invalid.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, _messages_from(invalid))
        return _run_page(request, _run(pk), commentary_form=form, status=409 if run.is_signed_off else 400)
    messages.success(
        request, "Commentary saved. The PDF and spreadsheet are being redrawn with it: a few seconds."
    )
    return redirect("reports:run_detail", pk=pk)


@access_required
@require_POST
def run_sign_off(request, pk: int):
    run = _run(pk)
    form = SignOffForm(request.POST)
    if not form.is_valid():
        return _run_page(request, run, sign_off_form=form, status=400)
    try:
        services.report_run_sign_off(run=run, by=request.user)
    except ValidationError as invalid:
        form.add_error(None, _messages_from(invalid))
        return _run_page(request, _run(pk), sign_off_form=form, status=409 if run.is_signed_off else 400)
    messages.success(
        request,
        "Signed off. This version is now frozen; its PDF and spreadsheet are being drawn with the "
        "sign-off: a few seconds.",
    )
    return redirect("reports:run_detail", pk=pk)


@access_required
@require_POST
def run_retry(request, pk: int):
    try:
        services.report_run_retry(run=_run(pk), by=request.user)
    except ValidationError as invalid:
        messages.error(request, _messages_from(invalid))
    return redirect("reports:run_detail", pk=pk)


@access_required
def run_download(request, pk: int, kind: str):
    """A run's PDF, XLSX or CSV, always as a download (never shown inline)."""
    if kind not in FILE_TYPES:
        raise Http404("No such file.")
    run = _run(pk)
    stored = getattr(run, kind)
    if run.status != ReportRun.Status.DONE or not stored:
        raise Http404("This report has no such file yet.")
    return FileResponse(
        stored.open("rb"), as_attachment=True, filename=run.file_name(kind), content_type=FILE_TYPES[kind]
    )
