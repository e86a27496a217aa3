"""The ticket pages: log a ticket, my tickets, the ticket page and its actions, files, the rating link and
the technicians' queue.

Thin: each view parses a form, calls one service or selector, and renders. Who may see a ticket is
permissions.visible_tickets (through the selectors): a ticket outside it is a 404, never a 403, so a page
does not confirm that someone else's ticket exists. What a person may do to a ticket is the services'
decision; their PermissionDenied becomes a 403 and their ValidationError the form's errors.

One module per page family: `staff` (log a ticket, My tickets), `ticket` (the ticket page, its actions,
files and the rating link), `queue` (the technicians' queue). urls.py names the views from here.
"""

from .paging import TICKETS_PER_PAGE
from .queue import queue_major_link, saved_filter_delete, saved_filter_save, work_queue
from .staff import my_tickets, ticket_new, ticket_new_questions
from .ticket import (
    attachment_download,
    content_disposition,
    rate_by_link,
    ticket_assign,
    ticket_detail,
    ticket_major_link,
    ticket_major_link_form,
    ticket_major_update,
    ticket_rate,
    ticket_reply,
    ticket_status,
    ticket_take,
    ticket_update,
    ticket_update_form,
)

__all__ = [
    "TICKETS_PER_PAGE",
    "attachment_download",
    "content_disposition",
    "my_tickets",
    "queue_major_link",
    "rate_by_link",
    "saved_filter_delete",
    "saved_filter_save",
    "ticket_assign",
    "ticket_detail",
    "ticket_major_link",
    "ticket_major_link_form",
    "ticket_major_update",
    "ticket_new",
    "ticket_new_questions",
    "ticket_rate",
    "ticket_reply",
    "ticket_status",
    "ticket_take",
    "ticket_update",
    "ticket_update_form",
    "work_queue",
]
