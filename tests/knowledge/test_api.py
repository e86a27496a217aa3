"""/api/articles/: the same scope and services as the pages."""

import pytest
from rest_framework.test import APIClient

from knowledge.models import ArticleStatus, Audience
from tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db

FIELDS = {"id", "reference", "title", "body_html", "services", "audience", "status", "review_date"}
FIELDS |= {"helpful_yes", "helpful_no", "updated_at"}


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_staff_get_only_published_staff_articles_and_a_404_for_the_rest(staff, write):
    shown = write("Printer not printing")
    hidden = [
        write("Printer draft", status=ArticleStatus.DRAFT),
        write("Printer in review", status=ArticleStatus.IN_REVIEW),
        write("Printer retired", status=ArticleStatus.RETIRED),
        write("Printer desk only", audience=Audience.DESK),
    ]
    client = api(staff)
    for query in (
        "",
        "?search=printer",
        "?status=draft",
        "?status=retired",
        f"?service={ServiceFactory().pk}",
    ):
        listed = {row["id"] for row in client.get(f"/api/articles/{query}").json()["results"]}
        assert listed <= {shown.pk}, query
    for article in hidden:
        assert client.get(f"/api/articles/{article.pk}/").status_code == 404
        assert (
            client.post(f"/api/articles/{article.pk}/feedback/", {"helpful": True}, format="json").status_code
            == 404
        )
    suggested = client.get("/api/articles/suggest/?q=printer").json()
    assert [row["id"] for row in suggested] == [shown.pk]
    assert set(suggested[0]) == {"id", "reference", "title", "snippet", "url"}
    row = client.get(f"/api/articles/{shown.pk}/").json()
    assert set(row) >= FIELDS


def test_staff_may_not_write_through_the_api(staff, write):
    article = write()
    client = api(staff)
    assert client.post("/api/articles/", {"title": "x", "body": "y"}, format="json").status_code == 403
    assert client.patch(f"/api/articles/{article.pk}/", {"title": "x"}, format="json").status_code == 403
    assert (
        client.post(f"/api/articles/{article.pk}/transition/", {"to": "retired"}, format="json").status_code
        == 403
    )


def test_the_desk_writes_reviews_and_publishes_through_the_api(author, reviewer):
    service = ServiceFactory()
    created = api(author).post(
        "/api/articles/",
        {"title": "VPN down at Willowvale", "body": "Check the **MPLS** router", "services": [service.pk]},
        format="json",
    )
    assert created.status_code == 201, created.content
    row = created.json()
    assert (
        row["status"] == "draft"
        and row["reference"].startswith("KB-")
        and "<strong>MPLS</strong>" in row["body_html"]
    )
    pk = row["id"]
    assert (
        api(author).post(f"/api/articles/{pk}/transition/", {"to": "in_review"}, format="json").status_code
        == 200
    )
    refused = api(author).post(f"/api/articles/{pk}/transition/", {"to": "published"}, format="json")
    assert refused.status_code == 400
    published = api(reviewer).post(f"/api/articles/{pk}/transition/", {"to": "published"}, format="json")
    assert published.json()["status"] == "published"
    stale = api(author).patch(f"/api/articles/{pk}/", {"body": "New", "version": 0}, format="json")
    assert stale.status_code == 409
    edited = api(author).patch(
        f"/api/articles/{pk}/", {"body": "New <script>x</script>", "version": 1}, format="json"
    )
    assert edited.status_code == 200 and "<script" not in edited.json()["body_html"]


def test_feedback_counts_one_answer_per_person(staff, author, write):
    article = write()
    api(staff).post(f"/api/articles/{article.pk}/feedback/", {"helpful": True}, format="json")
    api(staff).post(f"/api/articles/{article.pk}/feedback/", {"helpful": False}, format="json")
    answer = (
        api(author).post(f"/api/articles/{article.pk}/feedback/", {"helpful": True}, format="json").json()
    )
    assert answer == {"helpful_yes": 1, "helpful_no": 1}


def test_anonymous_callers_get_nothing(write):
    write()
    assert APIClient().get("/api/articles/").status_code in (401, 403)
    assert APIClient().get("/api/articles/suggest/?q=password").status_code in (401, 403)
