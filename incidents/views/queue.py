"""The technicians' queue: tabs, filters and search, saved filters, linking to a major incident."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from common.access import access_required
from common.pagination import NearerEndPaginator, fill_page

from .. import selectors, services
from ..filters import TicketFilter
from ..forms import (
    ProposalLinkForm,
    SavedFilterForm,
    queue_query,
)
from ..models import SavedFilter
from ..ticket_extensions import queue_panels
from .paging import TICKETS_PER_PAGE

# --- the technicians' queue ------------------------------------------------------------------------------


def _filtered(request, ticket_filter) -> bool:
    """Any filter of the Filters panel is set (the search box is above it, on its own)."""
    return any(
        value for name in ticket_filter.form.fields if name != "q" for value in request.GET.getlist(name)
    )


def _page_by_ids(tickets, number):
    """One page of `tickets`: the page's ids first (an index-only scan, however deep the page), then
    those 25 tickets with their joins. OFFSET over the joined rows read every ticket before the page
    (docs/performance.md; decision 0010). Pages past the middle are read from the far end
    (common.pagination)."""
    page = NearerEndPaginator(tickets.values_list("pk", flat=True), TICKETS_PER_PAGE).get_page(number)
    return fill_page(page, selectors.queue_rows(tickets))


QUEUE_ORDER_WORDS = {
    "open": "highest priority and nearest due time first",
    "breaching": "the next to breach first",
    "overdue": "the most overdue first",
    "all": "newest first",
}


@access_required
def work_queue(request):
    queue = request.GET.get("queue", "")
    if queue not in selectors.QUEUES:
        queue = next(iter(selectors.QUEUES))
    search = request.GET.get("q", "").strip()
    # Asking for a status, or searching, finds closed tickets too: the tabs list open ones otherwise.
    open_only = not (search or any(request.GET.getlist("status")))
    tickets = selectors.technician_queue(request.user, queue, open_only=open_only)
    ticket_filter = TicketFilter(request.GET, queryset=tickets)
    page = _page_by_ids(ticket_filter.qs, request.GET.get("page"))
    query = queue_query(request.GET)
    return render(
        request,
        "incidents/work_queue.html",
        {
            "queue": queue,
            "queues": selectors.QUEUES,
            "filter": ticket_filter,
            "filtered": _filtered(request, ticket_filter),
            "search": search,
            "open_only": open_only and queue not in selectors.ANY_STATUS_QUEUES,
            "order_words": QUEUE_ORDER_WORDS.get(queue, QUEUE_ORDER_WORDS["open"]),
            "page": page,
            "proposals": selectors.proposed_major_incidents(request.user),
            "saved_filters": selectors.saved_filters(request.user),
            "save_form": SavedFilterForm(initial={"query": query}),
            "query": query,
            # What apps above incidents do to the selected rows (problems: link them to a problem).
            "queue_panels": queue_panels(request.user),
        },
    )


@access_required
@require_POST
def queue_major_link(request):
    """A proposed major incident linked in one step: the oldest ticket becomes the parent."""
    form = ProposalLinkForm(request.POST)
    wanted = form.cleaned_data["tickets"] if form.is_valid() else []
    tickets = selectors.tickets_by_pk(request.user, wanted)
    if len(tickets) < 2:
        messages.error(request, "These tickets are no longer open or no longer unlinked: nothing was linked.")
        return redirect("work_queue")
    parent, *children = tickets
    try:
        services.major_incident_link(parent=parent, children=children, by=request.user)
    except ValidationError as invalid:
        messages.error(request, " ".join(invalid.messages))
        return redirect("work_queue")
    messages.success(
        request,
        f"{parent.reference} is now a major incident with {len(children)} linked tickets. "
        "Post one update below to tell every requester.",
    )
    return redirect(reverse("ticket_detail", args=[parent.pk]) + "#major")


@access_required
@require_POST
def saved_filter_save(request):
    form = SavedFilterForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return redirect(reverse("work_queue") + "?" + queue_query(QueryDict(request.POST.get("query", ""))))
    saved = form.save(request.user)
    messages.success(request, f"Saved as “{saved.name}”.")
    return redirect(reverse("work_queue") + "?" + saved.query)


@access_required
@require_POST
def saved_filter_delete(request, pk: int):
    saved = get_object_or_404(SavedFilter, pk=pk, user=request.user)
    saved.delete()
    messages.success(request, f"“{saved.name}” deleted.")
    return redirect("work_queue")
