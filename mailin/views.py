"""The original mail's headers behind a ticket, for the service desk only (a link on the ticket page)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from common.access import access_required
from incidents.models import Channel, Ticket
from incidents.page_links import PageLink

from .models import InboundMessage


def headers_link(ticket: Ticket) -> PageLink | None:
    """The ticket page's link (incidents.page_links), offered only to the desk; no query at all."""
    if ticket.channel != Channel.EMAIL:
        return None
    return PageLink("Original mail headers", reverse("mail_headers", args=[ticket.pk]))


@require_GET
@access_required  # the desk's roles only (common.access: "mail_headers")
def mail_headers(request, pk: int):
    ticket = get_object_or_404(Ticket, pk=pk)
    mails = list(
        InboundMessage.objects.filter(ticket=ticket)
        .select_related("mailbox", "comment")
        .order_by("received_at")
    )
    if not mails:
        raise Http404("No mail came with this ticket.")
    return render(request, "mailin/mail_headers.html", {"ticket": ticket, "mails": mails})
