"""A known error's workaround for staff published as a help article linked to its problem
(knowledge/known_errors.py through problems/problem_extensions.py): one step on the problem page by the
desk, staff see it among the suggestions while logging and never the desk's part, a change to it is a new
version, and resolving the problem retires it."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from rest_framework.test import APIClient

from knowledge.known_errors import workaround_article
from knowledge.models import Article, ArticleStatus, Audience
from problems import services as problems
from problems.models import Problem
from tests.factories import ProblemFactory, ServiceFactory

pytestmark = pytest.mark.django_db

PRIVATE = "Restart the spooler on PRINT-SRV-02 as admin (password in the desk vault)."
PUBLIC = "Switch the printer off and on again, wait one minute, then print once more."
ROOT_CAUSE = "The UPS at Willowvale drops the print server for a second."


@pytest.fixture
def printing(db):
    return ServiceFactory(name="Printers and toner")


@pytest.fixture
def known_error(author, printing):
    problem = ProblemFactory(
        by=author, service=printing, summary="Willowvale printer queue stalls after a power dip"
    )
    return problems.problem_update(
        problem=problem,
        by=author,
        changes={"workaround": PRIVATE, "workaround_public": PUBLIC, "root_cause": ROOT_CAUSE},
    )


def publish(client, user, problem):
    client.force_login(user)
    problem.refresh_from_db()
    return client.post(
        reverse("knowledge:article_from_problem", args=[problem.pk]), {"version": problem.version}
    )


def test_the_desk_publishes_the_workaround_for_staff_in_one_step(client, author, known_error, printing):
    client.force_login(author)
    page = client.get(reverse("problems:problem_detail", args=[known_error.pk])).content.decode()
    assert "Staff do not see this workaround yet." in page and "Publish for staff as a help article" in page

    response = publish(client, author, known_error)
    assert response.status_code == 302
    article = workaround_article(known_error)
    assert (article.status, article.audience, article.title) == (
        ArticleStatus.PUBLISHED,
        Audience.STAFF,
        known_error.summary,
    )
    assert article.source_type == ContentType.objects.get_for_model(Problem)
    assert list(article.services.all()) == [printing]
    assert PUBLIC in article.body and PRIVATE not in article.body and ROOT_CAUSE not in article.body
    assert known_error.reference not in article.body
    page = client.get(reverse("problems:problem_detail", args=[known_error.pk])).content.decode()
    assert f"{article.reference} {article.title}" in page and "version 1" in page
    assert "Publish for staff" not in page
    # A second click (or a second technician) updates the same article, never a second one.
    publish(client, author, known_error)
    assert Article.objects.filter(source_id=known_error.pk).count() == 1


def test_staff_see_it_while_logging_and_never_the_private_part(client, author, staff, known_error, printing):
    publish(client, author, known_error)
    article = workaround_article(known_error)
    client.force_login(staff)
    fragment = client.get(
        reverse("knowledge:suggest"), {"q": "printer queue stalls", "service": printing.pk}
    ).content.decode()
    assert article.title in fragment and f'name="kb_shown" value="{article.pk}"' in fragment
    # Every path a member of staff has to it: the article page, the help search, the API, the suggestions.
    seen = [
        client.get(reverse("knowledge:article", args=[article.reference])).content.decode(),
        client.get(reverse("knowledge:help"), {"q": "printer queue"}).content.decode(),
    ]
    api = APIClient()
    api.force_authenticate(staff)
    seen.append(api.get(reverse("article-detail", args=[article.pk])).content.decode())
    seen.append(
        api.get(reverse("article-suggest"), {"q": "printer queue", "service": printing.pk}).content.decode()
    )
    seen.append(fragment)
    assert PUBLIC.split(",")[0] in seen[0] and article.title in seen[1] and article.title in seen[3]
    for text in seen:
        assert "PRINT-SRV-02" not in text and "desk vault" not in text and "UPS at Willowvale" not in text
        assert known_error.reference not in text
    # Staff still reach no problem page.
    assert client.get(reverse("problems:problem_detail", args=[known_error.pk])).status_code == 403


def test_a_change_to_what_staff_read_is_a_new_version_and_nothing_else_is(author, known_error, client):
    publish(client, author, known_error)
    article = workaround_article(known_error)
    problems.problem_update(
        problem=known_error, by=author, changes={"workaround": PRIVATE + " Then ping it."}
    )
    article.refresh_from_db()
    assert article.version == 1  # the desk's part is not the article's business
    problems.problem_update(
        problem=known_error,
        by=author,
        changes={"workaround_public": "Switch it off and on; print once more."},
    )
    article.refresh_from_db()
    assert article.version == 2 and "Switch it off and on; print once more." in article.body
    assert article.status == ArticleStatus.PUBLISHED
    assert sorted(article.versions.values_list("number", "note")) == [
        (1, "published from its source"),
        (2, "updated from its source"),
    ]


def test_resolving_the_problem_or_emptying_the_public_part_retires_it(
    author, staff, known_error, client, printing
):
    publish(client, author, known_error)
    article = workaround_article(known_error)
    problems.problem_update(problem=known_error, by=author, changes={"workaround_public": ""})
    article.refresh_from_db()
    assert article.status == ArticleStatus.RETIRED
    client.force_login(staff)
    fragment = client.get(reverse("knowledge:suggest"), {"q": "printer queue stalls", "service": printing.pk})
    assert article.title not in fragment.content.decode()
    # The words come back: the article stays retired until the desk publishes it again.
    problems.problem_update(problem=known_error, by=author, changes={"workaround_public": PUBLIC})
    article.refresh_from_db()
    assert article.status == ArticleStatus.RETIRED
    client.force_login(author)
    page = client.get(reverse("problems:problem_detail", args=[known_error.pk])).content.decode()
    assert f"{article.reference}</a> is retired" in page and "Publish it again for staff" in page
    publish(client, author, known_error)
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED and article.version == 2  # retiring kept the words
    problems.problem_update(
        problem=known_error,
        by=author,
        changes={"root_cause_category": "power", "permanent_fix": "New UPS battery fitted."},
    )
    problems.problem_change_status(problem=known_error, to="resolved", by=author)
    article.refresh_from_db()
    assert article.status == ArticleStatus.RETIRED  # a fixed fault needs no workaround


def test_only_the_desk_publishes_and_a_stale_page_publishes_nothing(
    client, author, staff, known_error, printing
):
    assert publish(client, staff, known_error).status_code == 403
    client.force_login(author)
    url = reverse("knowledge:article_from_problem", args=[known_error.pk])
    response = client.post(url, {"version": known_error.version - 1}, follow=True)
    assert "The problem changed since you opened it" in response.content.decode()
    assert client.get(url).status_code == 405
    csrf_client = client.__class__(enforce_csrf_checks=True)
    csrf_client.force_login(author)
    assert csrf_client.post(url, {"version": known_error.version}).status_code == 403
    assert (
        client.post(reverse("knowledge:article_from_problem", args=[999999]), {"version": 1}).status_code
        == 404
    )
    # A problem that is not a known error, or has no workaround for staff, has nothing to publish.
    plain = ProblemFactory(by=author, service=printing)
    page = client.get(reverse("problems:problem_detail", args=[plain.pk])).content.decode()
    assert "Workaround for staff as a help article" not in page
    response = publish(client, author, plain)
    assert workaround_article(plain) is None
    private_only = problems.problem_update(problem=plain, by=author, changes={"workaround": PRIVATE})
    page = client.get(reverse("problems:problem_detail", args=[private_only.pk])).content.decode()
    assert "Record a workaround for staff (Change) to publish it for them." in page
    publish(client, author, private_only)
    assert workaround_article(private_only) is None
    assert not Article.objects.filter(body__contains="PRINT-SRV-02").exists()
