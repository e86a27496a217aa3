"""Knowledge on incidents' pages, through incidents/hooks.py (incidents never imports knowledge).

- the log form: a panel that shows up to three articles as staff type (the suggest fragment, debounced
  by static/js/knowledge.js; the form works without it); the articles shown travel with the form as
  `kb_shown` and are recorded on the ticket when it is logged;
- the ticket page (service desk only): articles matching the ticket's text and service, each with a line
  to insert into a public reply, and "write an article from this ticket" once it is resolved;
- a public reply that names an article (KB-0001) records its use on the ticket.
"""

from __future__ import annotations

from django.template.loader import render_to_string

from common.addresses import absolute_url
from incidents import hooks
from incidents.permissions import is_support

from . import selectors, services
from .models import ArticleUse

LOG_FORM_PANEL = "knowledge/includes/log_form_panel.html"


def ticket_panel(request, ticket) -> str:
    if not is_support(request.user) or not selectors.is_desk(request.user):
        return ""
    found = selectors.suggestions_for_ticket(ticket, request.user)
    for article in found:
        article.reply_line = f"{article.reference} {article.title}: {absolute_url(article_url(article))}"
    return render_to_string(
        "knowledge/includes/ticket_panel.html",
        {"ticket": ticket, "suggestions": found, "can_write": ticket.resolved_at is not None},
        request=request,
    )


def article_url(article) -> str:
    from django.urls import reverse

    return reverse("knowledge:article", args=[article.reference])


def on_ticket_logged(sender, *, ticket, request, **kwargs) -> None:
    shown = [int(value) for value in request.POST.getlist("kb_shown")[:10] if value.isdigit()]
    if shown:
        readable = selectors.readable_articles(request.user).filter(pk__in=shown).values_list("pk", flat=True)
        services.article_uses_record(
            ticket=ticket, article_ids=readable, kind=ArticleUse.Kind.SHOWN, by=request.user
        )


def on_public_reply(sender, *, ticket, comment, by, **kwargs) -> None:
    services.reply_articles_record(ticket=ticket, body=comment.body, by=by)


def register() -> None:
    """Called once from KnowledgeConfig.ready."""
    hooks.register_log_form_panel(LOG_FORM_PANEL)
    hooks.register_ticket_panel(ticket_panel)
    hooks.ticket_logged.connect(on_ticket_logged, dispatch_uid="knowledge.ticket_logged")
    hooks.public_reply_sent.connect(on_public_reply, dispatch_uid="knowledge.public_reply")
