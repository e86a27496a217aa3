"""The knowledge services: lifecycle, versions, restore, feedback, deflection, from a ticket, from a source,
review reminders."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from common.models import Notification
from incidents import services as ticket_services
from incidents.models import Status
from knowledge import services
from knowledge.models import Article, ArticleStatus, ArticleUse, Audience, Deflection
from tests.factories import ServiceFactory, TicketFactory

pytestmark = pytest.mark.django_db


def test_a_new_article_is_a_draft_with_a_reference_a_version_and_safe_html(author):
    article = services.article_create(by=author, title="Printer", body="Hi <script>x()</script> **there**")
    assert article.status == ArticleStatus.DRAFT and article.reference == f"KB-{article.pk:04d}"
    assert "<script" not in article.body_html and "<strong>there</strong>" in article.body_html
    assert list(article.versions.values_list("number", "changed_by")) == [(1, author.pk)]


def test_staff_may_not_write(staff):
    with pytest.raises(PermissionDenied):
        services.article_create(by=staff, title="x", body="y")


def test_the_lifecycle_follows_the_table_and_a_reviewer_other_than_the_author_publishes(
    author, reviewer, write
):
    article = write(status=ArticleStatus.DRAFT)
    with pytest.raises(ValidationError):  # draft -> published skips the review
        services.article_change_status(article=article, by=reviewer, to=ArticleStatus.PUBLISHED)
    services.article_change_status(article=article, by=author, to=ArticleStatus.IN_REVIEW)
    with pytest.raises(ValidationError, match="other than the author"):
        services.article_change_status(article=article, by=author, to=ArticleStatus.PUBLISHED)
    article = services.article_change_status(article=article, by=reviewer, to=ArticleStatus.PUBLISHED)
    assert article.reviewer == reviewer and article.published_at is not None
    assert article.review_date == timezone.localdate() + services.DEFAULT_REVIEW_AFTER
    article = services.article_change_status(article=article, by=reviewer, to=ArticleStatus.RETIRED)
    assert Article.objects.get(pk=article.pk).status == ArticleStatus.RETIRED


def test_every_change_is_a_version_and_an_old_one_is_restored_as_a_new_one(author, reviewer, write):
    article = write(title="Old title", body="Old words")
    services.article_update(
        article=article, by=reviewer, title="New title", body="New words", expected_version=1
    )
    article.refresh_from_db()
    assert article.version == 2 and article.status == ArticleStatus.PUBLISHED  # edits keep it published
    restored = services.article_restore(article=article, by=author, number=1)
    assert (restored.version, restored.title, restored.body) == (3, "Old title", "Old words")
    assert "Old words" in restored.body_html
    assert list(article.versions.values_list("number", "note")) == [
        (3, "restored version 1"),
        (2, "edited"),
        (1, "written"),
    ]


def test_a_change_from_a_stale_copy_is_refused(author, write):
    article = write()
    services.article_update(article=article, by=author, title="A", body="B", expected_version=1)
    with pytest.raises(services.ArticleConflict):
        services.article_update(article=article, by=author, title="C", body="D", expected_version=1)


def test_one_answer_per_person_a_second_replaces_the_first(write, staff, author):
    article = write()
    services.article_feedback(article=article, user=staff, helpful=True)
    services.article_feedback(article=article, user=staff, helpful=False)
    services.article_feedback(article=article, user=author, helpful=True)
    article.refresh_from_db()
    assert (article.helpful_yes, article.helpful_no) == (1, 1)
    assert article.feedback.count() == 2


def test_a_draft_takes_no_feedback_nor_deflection(write, staff):
    article = write(status=ArticleStatus.DRAFT)
    with pytest.raises(ValidationError):
        services.article_feedback(article=article, user=staff, helpful=True)
    with pytest.raises(ValidationError):
        services.deflection_record(article=article, user=staff, typed="printer")


def test_a_deflection_records_who_which_article_and_what_they_typed(write, staff):
    article = write()
    services.deflection_record(article=article, user=staff, typed="  printer not printing ")
    row = Deflection.objects.get()
    assert (row.article, row.user, row.typed) == (article, staff, "printer not printing")
    article.refresh_from_db()
    assert article.helpful_yes == 1


@pytest.fixture
def resolved_ticket(author):
    service = ServiceFactory(name="Printing")
    ticket = TicketFactory(
        service=service,
        summary="Printer on the 2nd floor prints blank pages",
        description="Thandeka Mbeki (thandeka@mbhashe.gov.za, 047 489 5800) says every page comes out blank.",
    )
    ticket_services.ticket_take(ticket=ticket, by=author)
    ticket_services.ticket_change_status(
        ticket=ticket,
        to=Status.RESOLVED,
        by=author,
        resolution_code="fixed",
        resolution_note="Replaced the empty toner cartridge; Thandeka printed a test page.",
    )
    ticket.refresh_from_db()
    ticket.requester.first_name, ticket.requester.last_name = "Thandeka", "Mbeki"
    ticket.requester.save()
    return ticket


def test_an_article_from_a_resolved_ticket_in_one_step_without_personal_details(resolved_ticket, author):
    article = services.article_from_ticket(ticket=resolved_ticket, by=author)
    assert article.status == ArticleStatus.DRAFT and article.source_ticket == resolved_ticket
    assert article.title == "Printer on the 2nd floor prints blank pages"
    assert (
        "Replaced the empty toner cartridge" in article.body and "every page comes out blank" in article.body
    )
    for personal in ("Thandeka", "Mbeki", "thandeka@mbhashe.gov.za", "047 489 5800"):
        assert personal not in article.body
    assert services.CHECK_NOTE in article.body
    assert list(article.services.all()) == [resolved_ticket.service]


def test_an_open_ticket_does_not_become_an_article(author):
    ticket = TicketFactory()
    with pytest.raises(ValidationError):
        services.article_from_ticket(ticket=ticket, by=author)


def test_publishing_from_a_source_keeps_one_linked_article(author, reviewer):
    source = ServiceFactory(name="Stands in for a known error")  # any model row: knowledge names no app
    first = services.article_publish_from_source(source=source, by=reviewer, title="Workaround", body="Do X")
    again = services.article_publish_from_source(source=source, by=reviewer, title="Workaround", body="Do Y")
    assert first.pk == again.pk and again.status == ArticleStatus.PUBLISHED and again.source == source
    assert again.body == "Do Y" and again.version == 2


def test_a_reply_naming_articles_records_their_use_once(write, resolved_ticket, author):
    article = write()
    body = f"Please follow {article.reference} and KB-9999."
    assert services.reply_articles_record(ticket=resolved_ticket, body=body, by=author) == 1
    services.reply_articles_record(ticket=resolved_ticket, body=body, by=author)
    assert ArticleUse.objects.filter(article=article, kind=ArticleUse.Kind.REPLY).count() == 1


def test_the_author_is_reminded_once_when_the_review_date_passes(write, author):
    article = write()
    Article.objects.filter(pk=article.pk).update(review_date=timezone.localdate() - timedelta(days=1))
    assert services.article_reviews_remind() == 1
    assert services.article_reviews_remind() == 0
    mail = Notification.objects.get(key__startswith="article-review:")
    assert mail.to_address == author.email and article.reference in mail.subject
    # A new review date makes it due again once that passes.
    Article.objects.filter(pk=article.pk).update(review_date=timezone.localdate())
    assert services.article_reviews_remind() == 1


def test_desk_only_audience_is_kept(author):
    article = services.article_create(by=author, title="Core switch", body="x", audience=Audience.DESK)
    assert article.audience == Audience.DESK


def test_a_view_counts_once_per_person_per_article_per_day(write, staff, author):
    import datetime

    from common import access
    from knowledge.models import ArticleView
    from tests.factories import UserFactory

    article = write()
    today = datetime.date(2026, 12, 7)
    assert services.article_viewed(article=article, user=staff, today=today) is True
    assert services.article_viewed(article=article, user=staff, today=today) is False  # a reload
    assert services.article_viewed(article=article, user=UserFactory(role=access.STAFF), today=today) is True
    assert services.article_viewed(article=article, user=staff, today=today + datetime.timedelta(1))
    assert Article.objects.get(pk=article.pk).views == 3
    assert ArticleView.objects.count() == 3
    draft = write(status=ArticleStatus.DRAFT)
    assert services.article_viewed(article=draft, user=author, today=today) is False
    assert Article.objects.get(pk=draft.pk).views == 0
