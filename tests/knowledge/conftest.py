import pytest

from common import access
from knowledge import services
from knowledge.models import ArticleStatus, Audience
from tests.factories import UserFactory


@pytest.fixture
def author(db):
    return UserFactory(role=access.TECHNICIAN, first_name="Sipho", last_name="Ndlovu")


@pytest.fixture
def reviewer(db):
    return UserFactory(role=access.TECHNICIAN, first_name="Nomsa", last_name="Dlamini")


@pytest.fixture
def staff(db):
    return UserFactory(role=access.STAFF)


@pytest.fixture
def write(author, reviewer):
    """Write an article and bring it to a status (published by the reviewer)."""

    def _write(
        title="Reset your password",
        body="Go to the sign-in page and choose **Forgot password**.",
        *,
        status=ArticleStatus.PUBLISHED,
        audience=Audience.STAFF,
        services_=(),
    ):
        article = services.article_create(
            by=author, title=title, body=body, audience=audience, services=services_
        )
        if status in (ArticleStatus.IN_REVIEW, ArticleStatus.PUBLISHED, ArticleStatus.RETIRED):
            services.article_change_status(article=article, by=author, to=ArticleStatus.IN_REVIEW)
        if status in (ArticleStatus.PUBLISHED, ArticleStatus.RETIRED):
            services.article_change_status(article=article, by=reviewer, to=ArticleStatus.PUBLISHED)
        if status == ArticleStatus.RETIRED:
            services.article_change_status(article=article, by=reviewer, to=ArticleStatus.RETIRED)
        article.refresh_from_db()
        return article

    return _write
