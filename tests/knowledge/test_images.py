"""Pictures in an article: uploaded by the desk, checked as ticket files are, served only through the
article's scope, and shown by the body's Markdown with no other address than their own."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from knowledge import services
from knowledge.models import ArticleImage, ArticleStatus, Audience
from knowledge.rendering import markdown_to_safe_html

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"0" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(name="print-queue.png", data=PNG, content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def picture_of(article, by, name="print-queue.png"):
    return services.article_image_add(article=article, by=by, upload=upload(name))


def test_the_desk_uploads_a_picture_and_gets_the_markdown_to_paste(client, author, write):
    article = write(status=ArticleStatus.DRAFT)
    client.force_login(author)
    url = reverse("knowledge:article_images", args=[article.reference])
    answer = client.post(url, {"file": upload()}, follow=True)
    image = ArticleImage.objects.get(article=article)
    assert image.content_type == "image/png" and image.original_name == "print-queue.png"
    assert not image.file.name.endswith("print-queue.png")  # a random name on disk
    markdown = f"![print-queue](/help/{article.reference}/images/{image.pk}/)"
    assert markdown in answer.content.decode()


def test_a_file_of_another_type_is_refused_with_a_message_and_nothing_kept(client, author, write):
    article = write(status=ArticleStatus.DRAFT)
    client.force_login(author)
    url = reverse("knowledge:article_images", args=[article.reference])
    answer = client.post(url, {"file": upload("steps.pdf", PDF, "application/pdf")})
    assert answer.status_code == 400
    assert "only pictures go into an article (PNG, JPEG, GIF)" in answer.content.decode()
    renamed = client.post(url, {"file": upload("steps.png", PDF, "image/png")})  # a PDF named .png
    assert renamed.status_code == 400
    assert "does not match its name" in renamed.content.decode()
    assert not ArticleImage.objects.exists()


def test_a_picture_over_the_attachment_limit_is_refused(author, write, settings):
    settings.ATTACHMENT_MAX_BYTES = 32
    article = write(status=ArticleStatus.DRAFT)
    with pytest.raises(services.ValidationError, match="larger than"):
        services.article_image_add(article=article, by=author, upload=upload())
    assert not ArticleImage.objects.exists()


def test_at_most_so_many_pictures_an_article(author, write, monkeypatch):
    monkeypatch.setattr(services, "MAX_IMAGES_PER_ARTICLE", 2)
    article = write(status=ArticleStatus.DRAFT)
    picture_of(article, author)
    picture_of(article, author)
    with pytest.raises(services.ValidationError, match="at most 2 pictures"):
        picture_of(article, author)


def test_staff_cannot_upload_pictures(client, staff, write):
    article = write()
    client.force_login(staff)
    url = reverse("knowledge:article_images", args=[article.reference])
    assert client.post(url, {"file": upload()}).status_code == 403
    with pytest.raises(services.PermissionDenied):
        services.article_image_add(article=article, by=staff, upload=upload())


@pytest.mark.parametrize(
    ("status", "audience", "staff_answer"),
    [
        (ArticleStatus.PUBLISHED, Audience.STAFF, 200),
        (ArticleStatus.DRAFT, Audience.STAFF, 404),
        (ArticleStatus.IN_REVIEW, Audience.STAFF, 404),
        (ArticleStatus.RETIRED, Audience.STAFF, 404),
        (ArticleStatus.PUBLISHED, Audience.DESK, 404),
    ],
)
def test_a_picture_is_served_only_to_whoever_may_read_its_article(
    client, staff, author, write, status, audience, staff_answer
):
    article = write(status=status, audience=audience)
    image = picture_of(article, author)
    url = reverse("knowledge:article_image", args=[article.reference, image.pk])
    client.force_login(staff)
    answer = client.get(url)
    assert answer.status_code == staff_answer
    client.force_login(author)
    answer = client.get(url)
    assert answer.status_code == 200 and answer["Content-Type"] == "image/png"
    assert answer["X-Content-Type-Options"] == "nosniff" and "sandbox" in answer["Content-Security-Policy"]
    assert b"".join(answer.streaming_content) == PNG


def test_a_picture_is_reached_only_through_its_own_article(client, staff, author, write):
    hidden = write(status=ArticleStatus.DRAFT)
    image = picture_of(hidden, author)
    published = write()
    client.force_login(staff)
    url = reverse("knowledge:article_image", args=[published.reference, image.pk])
    assert client.get(url).status_code == 404


def test_the_body_shows_its_own_pictures_and_no_other_address(client, staff, author, reviewer, write):
    article = write(status=ArticleStatus.DRAFT)
    image = picture_of(article, author)
    other = picture_of(write(status=ArticleStatus.DRAFT), author)
    own = f"/help/{article.reference}/images/{image.pk}/"
    body = "\n\n".join(
        [
            "Open the print queue:",
            services.article_image_markdown(image),
            f"![someone else's](/help/KB-{other.article_id:04d}/images/{other.pk}/)",
            "![tracker](https://evil.example/pixel.png)",
            "![relative](//evil.example/pixel.png)",
            f'<img src="{own}" onerror="alert(1)">',
        ]
    )
    article = services.article_update(article=article, by=author, title=article.title, body=body)
    html = article.body_html
    assert html.count("<img") == 2 and html.count(f'src="{own}"') == 2
    assert "evil.example" not in html and "onerror" not in html and f"images/{other.pk}/" not in html
    assert 'alt="print-queue"' in html and 'loading="lazy"' in html
    services.article_change_status(article=article, by=author, to=ArticleStatus.IN_REVIEW)
    services.article_change_status(article=article, by=reviewer, to=ArticleStatus.PUBLISHED)
    client.force_login(staff)
    page = client.get(reverse("knowledge:article", args=[article.reference])).content.decode()
    assert page.count(f'src="{own}"') == 2 and "evil.example" not in page
    assert client.get(own).status_code == 200


def test_without_an_article_no_picture_is_kept():
    assert "<img" not in markdown_to_safe_html("![x](/help/KB-0001/images/1/)")
