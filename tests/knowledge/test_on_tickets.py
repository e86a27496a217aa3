"""Knowledge on incidents' pages (knowledge/ticket_hooks.py through incidents/hooks.py): suggestions while
logging, deflection, the articles shown recorded on the ticket, the ticket page's panel, articles sent in
replies, an article from a resolved ticket in one step, and the counts on the dashboard."""

import pytest
from django.urls import reverse

from incidents import services as ticket_services
from incidents.models import Status, Ticket
from knowledge.models import Article, ArticleStatus, ArticleUse, Deflection
from sites.models import Site
from tests.factories import ServiceFactory, TicketFactory
from tests.reports.stored import counted

pytestmark = pytest.mark.django_db


@pytest.fixture
def printing(db):
    return ServiceFactory(name="Printers and toner")


@pytest.fixture
def printer_article(write, printing):
    return write(
        "Printer not printing: clear the print queue", body="Cancel all documents.", services_=[printing]
    )


def test_the_log_form_carries_the_suggestion_panel_and_works_without_it(client, staff, printer_article):
    client.force_login(staff)
    page = client.get(reverse("ticket_new")).content.decode()
    assert 'id="kb-suggestions"' in page and reverse("knowledge:suggest") in page


def test_typing_a_summary_suggests_articles_that_open_for_deflection(
    client, staff, printer_article, printing
):
    client.force_login(staff)
    fragment = client.get(reverse("knowledge:suggest"), {"q": "printer not printing", "service": printing.pk})
    html = fragment.content.decode()
    assert printer_article.title in html and 'name="kb_shown"' in html
    assert "from=log" in html and "typed=printer%20not%20printing" in html
    page = client.get(
        reverse("knowledge:article", args=[printer_article.reference]),
        {"from": "log", "typed": "printer not printing", "service": printing.pk},
    ).content.decode()
    assert "this solved it" in page
    client.post(
        reverse("knowledge:deflect", args=[printer_article.reference]),
        {"typed": "printer not printing", "service": printing.pk},
    )
    deflection = Deflection.objects.get()
    assert (deflection.user, deflection.article, deflection.typed, deflection.service) == (
        staff,
        printer_article,
        "printer not printing",
        printing,
    )
    assert not Ticket.objects.exists()


def test_no_log_my_ticket_keeps_what_was_typed(client, staff, printer_article, printing):
    client.force_login(staff)
    page = client.get(reverse("ticket_new"), {"summary": "printer not printing", "service": printing.pk})
    assert 'value="printer not printing"' in page.content.decode()


def test_a_logged_ticket_records_the_articles_it_was_shown(client, staff, printer_article, printing, write):
    hidden = write("Printer desk trick", audience="desk")
    client.force_login(staff)
    answer = client.post(
        reverse("ticket_new"),
        {
            "kind": "incident",
            "service": printing.pk,
            "site": Site.objects.get(name="Dutywa Main Building").pk,
            "summary": "Printer not printing",
            "description": "",
            "how_bad": "team",
            "asset_tag": "",
            "kb_shown": [printer_article.pk, hidden.pk, "nonsense"],
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    ticket = Ticket.objects.get()
    shown = ArticleUse.objects.filter(ticket=ticket, kind=ArticleUse.Kind.SHOWN)
    assert [use.article for use in shown] == [printer_article]  # not an article the person may not read


def test_the_ticket_page_suggests_articles_to_the_desk_only(client, staff, author, printer_article, printing):
    ticket = TicketFactory(requester=staff, service=printing, summary="Printer not printing in Finance")
    client.force_login(author)
    page = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
    assert "Help articles" in page and printer_article.title in page and "Insert into reply" in page
    client.force_login(staff)
    assert "Help articles" not in client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()


def test_a_public_reply_naming_an_article_counts_its_use(author, printer_article, staff, printing):
    ticket = TicketFactory(requester=staff, service=printing)
    ticket_services.ticket_comment(ticket=ticket, by=author, body=f"Please try {printer_article.reference}.")
    ticket_services.ticket_comment(
        ticket=ticket, by=author, body=f"Note {printer_article.reference}", internal=True
    )
    uses = ArticleUse.objects.filter(kind=ArticleUse.Kind.REPLY)
    assert [(use.article, use.ticket) for use in uses] == [(printer_article, ticket)]


def test_a_technician_turns_a_resolved_ticket_into_an_article_and_a_reviewer_publishes_it(
    client, author, reviewer, staff, printing
):
    ticket = TicketFactory(requester=staff, service=printing, summary="Scanner sends blank pages")
    ticket_services.ticket_take(ticket=ticket, by=author)
    ticket_services.ticket_change_status(
        ticket=ticket,
        to=Status.RESOLVED,
        by=author,
        resolution_code="fixed",
        resolution_note="Cleaned the glass.",
    )
    client.force_login(author)
    page = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
    assert "Write an article from this ticket" in page
    answer = client.post(reverse("knowledge:article_from_ticket", args=[ticket.pk]))
    article = Article.objects.get()
    assert answer.url == reverse("knowledge:article_edit", args=[article.reference])
    assert "Cleaned the glass." in client.get(answer.url).content.decode()
    client.post(reverse("knowledge:article_status", args=[article.reference]), {"to": "in_review"})
    client.force_login(reviewer)
    client.post(reverse("knowledge:article_status", args=[article.reference]), {"to": "published"})
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED and article.reviewer == reviewer
    client.force_login(staff)
    assert client.get(reverse("knowledge:article", args=[article.reference])).status_code == 200


def test_staff_may_not_turn_a_ticket_into_an_article(client, staff, printing):
    ticket = TicketFactory(requester=staff, service=printing)
    client.force_login(staff)
    assert client.post(reverse("knowledge:article_from_ticket", args=[ticket.pk])).status_code == 403


def test_the_dashboard_counts_deflections_replies_helpfulness_and_searches_with_no_result(
    client, manager_user, staff, printer_article
):
    from knowledge import services

    services.deflection_record(article=printer_article, user=staff, typed="printer")
    services.search_record(words="teams meeting", results=0, user=staff)
    client.force_login(manager_user)
    page = counted(client, reverse("dashboard")).content.decode()
    assert "Self-help" in page and "“teams meeting” (1)" in page
    assert 'Tickets not logged: a help article answered (deflections)</th><td class="num">1<' in page
