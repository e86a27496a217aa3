"""The help page, an article, feedback and the desk's pages: who sees what, CSRF, query counts."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from knowledge.models import ArticleStatus, Audience, Deflection
from tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hidden(write):
    """Every article a staff member must never see, by any path."""
    return [
        write("Draft about printers", status=ArticleStatus.DRAFT),
        write("Printer review pending", status=ArticleStatus.IN_REVIEW),
        write("Retired printer advice", status=ArticleStatus.RETIRED),
        write("Printer core switch for the desk", audience=Audience.DESK),
    ]


def test_staff_never_see_a_desk_only_or_unpublished_article(client, staff, write, hidden):
    shown = write("Printer not printing", body="Clear the print queue.")
    client.force_login(staff)
    for article in hidden:
        for name in ("knowledge:article", "knowledge:article_versions", "knowledge:article_edit"):
            answer = client.get(reverse(name, args=[article.reference]))
            assert answer.status_code in (403, 404), (name, article.title)
        assert (
            client.post(
                reverse("knowledge:feedback", args=[article.reference]), {"helpful": "yes"}
            ).status_code
            == 404
        )
        assert client.post(reverse("knowledge:deflect", args=[article.reference])).status_code == 404
    for url in (
        reverse("knowledge:help") + "?q=printer",
        reverse("knowledge:help"),
        reverse("knowledge:suggest") + "?q=printer",
    ):
        page = client.get(url).content.decode()
        assert all(article.title not in page for article in hidden), url
        assert shown.title in page, url
    assert client.get(reverse("knowledge:article", args=[shown.reference])).status_code == 200


def test_the_desk_sees_drafts_and_desk_only_articles(client, reviewer, hidden):
    client.force_login(reviewer)
    for article in hidden:
        assert client.get(reverse("knowledge:article", args=[article.reference])).status_code == 200
    page = client.get(reverse("knowledge:desk")).content.decode()
    assert all(article.title in page for article in hidden)


def test_staff_may_not_open_the_desk_pages(client, staff):
    client.force_login(staff)
    assert client.get(reverse("knowledge:desk")).status_code == 403
    assert client.get(reverse("knowledge:article_new")).status_code == 403


def test_did_this_help_one_answer_per_person(client, staff, write):
    article = write()
    client.force_login(staff)
    url = reverse("knowledge:feedback", args=[article.reference])
    client.post(url, {"helpful": "yes"})
    client.post(url, {"helpful": "no"})
    article.refresh_from_db()
    assert (article.helpful_yes, article.helpful_no) == (0, 1)
    page = client.get(reverse("knowledge:article", args=[article.reference])).content.decode()
    assert "You said no" in page


def test_forms_refuse_a_post_without_the_csrf_token(staff, reviewer, write):
    article = write()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff)
    assert (
        browser.post(reverse("knowledge:feedback", args=[article.reference]), {"helpful": "yes"}).status_code
        == 403
    )
    assert browser.post(reverse("knowledge:deflect", args=[article.reference])).status_code == 403
    browser.force_login(reviewer)
    assert (
        browser.post(
            reverse("knowledge:article_status", args=[article.reference]), {"to": "retired"}
        ).status_code
        == 403
    )
    article.refresh_from_db()
    assert (
        article.helpful_yes == 0
        and article.status == ArticleStatus.PUBLISHED
        and not Deflection.objects.exists()
    )


def test_the_desk_writes_sends_for_review_and_another_publishes(client, author, reviewer):
    service = ServiceFactory(name="E-mail")
    client.force_login(author)
    answer = client.post(
        reverse("knowledge:article_new"),
        {
            "title": "E-mail on your phone",
            "body": "1. Open **Outlook**",
            "audience": "staff",
            "services": [service.pk],
        },
    )
    assert answer.status_code == 302
    reference = answer.url.rstrip("/").rsplit("/", 1)[-1]
    client.post(reverse("knowledge:article_status", args=[reference]), {"to": "in_review"})
    client.post(
        reverse("knowledge:article_status", args=[reference]), {"to": "published"}
    )  # refused: the author
    page = client.get(reverse("knowledge:article", args=[reference])).content.decode()
    assert "In review" in page
    client.force_login(reviewer)
    client.post(reverse("knowledge:article_status", args=[reference]), {"to": "published"})
    page = client.get(reverse("knowledge:article", args=[reference])).content.decode()
    assert "Did this help?" in page and "reviewed by Nomsa Dlamini" in page


def test_a_form_with_errors_keeps_what_was_typed(client, author):
    client.force_login(author)
    answer = client.post(
        reverse("knowledge:article_new"), {"title": "", "body": "Steps I typed", "audience": "staff"}
    )
    assert answer.status_code == 400 and "Steps I typed" in answer.content.decode()


def test_versions_are_shown_and_an_old_one_restored(client, author, write):
    article = write(body="First words")
    client.force_login(author)
    client.post(
        reverse("knowledge:article_edit", args=[article.reference]),
        {"title": article.title, "body": "Second words", "audience": "staff", "version": 1},
    )
    assert (
        "First words"
        in client.get(reverse("knowledge:article_version", args=[article.reference, 1])).content.decode()
    )
    client.post(reverse("knowledge:article_restore", args=[article.reference, 1]))
    article.refresh_from_db()
    assert article.body == "First words" and article.version == 3


def _count(client, url):
    client.get(url)  # per-process caches fill first
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["staff", "reviewer"])
def test_query_counts_are_flat_in_the_number_of_articles(client, request, write, who):
    user = request.getfixturevalue(who)
    service = ServiceFactory()
    client.force_login(user)
    write("Printer one", services_=[service])
    first = write("Printer two", services_=[service])
    urls = [
        reverse("knowledge:help"),
        reverse("knowledge:help") + "?q=printer",
        reverse("knowledge:suggest") + "?q=printer",
        reverse("knowledge:article", args=[first.reference]),
        reverse("api:article-list") if False else "/api/articles/?search=printer",
        "/api/articles/",
    ]
    if who == "reviewer":
        urls += [reverse("knowledge:desk"), reverse("knowledge:article_versions", args=[first.reference])]
    few = {url: _count(client, url) for url in urls}
    for n in range(12):
        write(f"Printer number {n}", services_=[service])
    many = {url: _count(client, url) for url in urls}
    assert many == few
    assert max(few.values()) <= 12, few


def test_reading_an_article_again_the_same_day_does_not_count_again(client, staff, write):
    article = write()
    client.force_login(staff)
    url = reverse("knowledge:article", args=[article.reference])
    assert "read 1 time" in client.get(url).content.decode()
    assert "read 1 time" in client.get(url).content.decode()  # a reload is the same reading
    article.refresh_from_db()
    assert article.views == 1
