from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from common.access import access_required
from incidents.models import Ticket

from . import selectors, services
from .forms import OutageEndForm, OutageForm, OutageResolveForm, ScheduleUploadForm, StageForm
from .models import Outage


@access_required
@require_safe
def outage_list(request):
    """Current, coming and recent outages and load-shedding windows: for everyone signed in."""
    return render(
        request,
        "outages/outage_list.html",
        {
            **selectors.outages_now_and_next(),
            "end_form": OutageEndForm(),
            "resolve_form": OutageResolveForm(),
        },
    )


@access_required
@require_http_methods(["GET", "POST"])
def outage_new(request):
    form = OutageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data.get(name) for name in form.Meta.fields}
        try:
            outage = services.outage_record(by=request.user, **values)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"{outage.reference} recorded: the clocks of the site's open tickets are being recalculated.",
            )
            return redirect("outages:outage_list")
    return render(request, "outages/outage_form.html", {"form": form}, status=400 if form.errors else 200)


@access_required
@require_POST
def outage_end(request, pk: int):
    outage = get_object_or_404(Outage, pk=pk)
    form = OutageEndForm(request.POST)
    if form.is_valid():
        try:
            services.outage_end(outage, at=form.cleaned_data.get("ended_at"), by=request.user)
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
        else:
            messages.success(request, f"{outage.reference} ended.")
    else:
        messages.error(request, "Give the end as a date and time, or leave it empty for now.")
    return redirect("outages:outage_list")


@access_required
@require_POST
def outage_from_major(request, ticket_id: int):
    """ "This is an outage" on a major incident's page."""
    ticket = get_object_or_404(Ticket, pk=ticket_id)
    try:
        outage = services.outage_from_major_incident(ticket, by=request.user)
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    else:
        messages.success(
            request, f"{outage.reference} recorded: {outage.title} since {outage.started_at:%H:%M}."
        )
    return redirect("ticket_detail", ticket.pk)


@access_required
@require_POST
def outage_major_open(request, pk: int):
    """The proposal on the outages page: open the outage's major incident with the tickets logged since."""
    outage = get_object_or_404(Outage, pk=pk)
    try:
        parent = services.outage_major_incident_open(outage, by=request.user)
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
        return redirect("outages:outage_list")
    if parent is None:
        messages.error(request, f"No open ticket is linked to {outage.reference}: nothing was opened.")
        return redirect("outages:outage_list")
    messages.success(
        request,
        f"{parent.reference} is the major incident of {outage.reference}. "
        "Post one update there to tell every requester.",
    )
    return redirect(reverse("ticket_detail", args=[parent.pk]) + "#major")


@access_required
@require_POST
def outage_tickets_resolve(request, pk: int):
    """Closing an outage: "resolve the N linked tickets with one message"."""
    outage = get_object_or_404(Outage, pk=pk)
    form = OutageResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write what was done, in words the requesters read: nothing was resolved.")
        return redirect(reverse("outages:outage_list") + "#ended")
    try:
        count = services.outage_tickets_resolve(outage, by=request.user, message=form.cleaned_data["message"])
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    else:
        messages.success(request, f"{count} tickets of {outage.reference} resolved; each requester is told.")
    return redirect(reverse("outages:outage_list") + "#ended")


SCHEDULE_MAX_BYTES = 2 * 1024 * 1024


@access_required
@require_http_methods(["GET", "POST"])
def load_shedding(request):
    """The desk's load-shedding page: the stage in force, announce a new one, upload the schedule."""
    from . import load_shedding as schedule
    from .models import LoadSheddingArea

    upload, stage_form, status = (
        ScheduleUploadForm(),
        StageForm(initial={"stage": schedule.current_stage()}),
        200,
    )
    errors: list[str] = []
    if request.method == "POST" and "stage" in request.POST:
        stage_form = StageForm(request.POST)
        if stage_form.is_valid():
            schedule.stage_announce(stage_form.cleaned_data["stage"], by=request.user)
            messages.success(request, "Stage announced: the coming week's windows are planned again.")
            return redirect("outages:load_shedding")
        status = 400
    elif request.method == "POST":
        upload = ScheduleUploadForm(request.POST, request.FILES)
        if upload.is_valid():
            data = upload.cleaned_data["schedule"]
            if data.size > SCHEDULE_MAX_BYTES:
                errors = ["The file is larger than 2 MB: no schedule is that long."]
            else:
                result = schedule.schedule_import(data.read(), by=request.user)
                errors = result.errors or []
                if not errors:
                    messages.success(
                        request, f"Schedule imported: {result.areas} areas, {result.blocks} blocks."
                    )
                    return redirect("outages:load_shedding")
        status = 400
    areas = LoadSheddingArea.objects.prefetch_related("sites").order_by("name")
    return render(
        request,
        "outages/load_shedding.html",
        {
            "stage": schedule.current_stage(),
            "stage_form": stage_form,
            "upload": upload,
            "errors": errors,
            "areas": [(area, [site.name for site in area.sites.all()]) for area in areas],
        },
        status=status,
    )
