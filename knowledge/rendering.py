"""Markdown to safe HTML: the one place an article's body becomes markup.

`markdown` turns the text into HTML (raw HTML in the text passes through it), then `nh3` (the Rust
`ammonia` sanitiser) keeps only the tags and attributes below: no <script>, no event attributes
(onclick, onerror...), no style, and links only to http(s), mailto and tel or to our own pages
(relative). Links get rel="noopener noreferrer". Pictures only from the article's own pictures
(`knowledge.ArticleImage`, served through the article's scope by knowledge.views.article_image): an <img>
whose address is anything else loses it and is dropped, since an image from another host would break the
pages' "no other host" rule and tell that host who reads what.
"""

from __future__ import annotations

import html
import re
from functools import partial

import markdown  # type: ignore[import-untyped]  # no stubs installed (types-Markdown)
import nh3

ALLOWED_TAGS = {
    *("p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "code", "kbd"),
    *("strong", "em", "b", "i", "u", "s", "del", "sub", "sup", "small", "mark"),
    *("ul", "ol", "li", "dl", "dt", "dd", "a", "abbr"),
    *("table", "thead", "tbody", "tr", "th", "td", "caption"),
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "th": {"scope"},
    "ol": {"start"},
    "img": {"src", "alt", "title"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
# An <img> left without an address (nh3's output: attributes quoted, `<` and `>` never inside one).
_IMG_WITHOUT_SRC = re.compile(r'<img(?![^>]*\ssrc=")[^>]*>')


def image_url(article_id: int, image_id: int) -> str:
    """The one address of an article's picture (knowledge.views.article_image)."""
    from django.urls import reverse

    from .models import reference_of

    return reverse("knowledge:article_image", args=[reference_of(article_id), image_id])


def _image_address_pattern(article_id: int | None) -> re.Pattern[str] | None:
    if not article_id:
        return None
    prefix, _, _ = image_url(article_id, 1).rpartition("1/")
    return re.compile(re.escape(prefix) + r"[1-9]\d{0,9}/")


def _keep_attribute(images: re.Pattern[str] | None, element: str, attribute: str, value: str) -> str | None:
    if element != "img":
        return value
    if attribute == "src":
        return value if images is not None and images.fullmatch(value) else None
    return value.replace("<", "").replace(">", "")  # alt and title: words, never markup


def markdown_to_safe_html(text: str, *, article_id: int | None = None) -> str:
    """The body as HTML that is safe to put on a page as it is. `article_id`: the article whose pictures
    the body may show (`![words](/help/KB-0001/images/3/)`); without it, no picture."""
    html = markdown.markdown(
        text or "", extensions=["tables", "sane_lists", "fenced_code"], output_format="html"
    )
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS | {"img"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=partial(_keep_attribute, _image_address_pattern(article_id)),
        set_tag_attribute_values={"img": {"loading": "lazy"}},
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return _IMG_WITHOUT_SRC.sub("", cleaned)


def plain_snippet(text: str, length: int = 160) -> str:
    """The first words of the body as plain text (no markup), for search results and suggestions."""
    plain = " ".join(html.unescape(nh3.clean(markdown.markdown(text or ""), tags=set())).split())
    return plain if len(plain) <= length else plain[: length - 1].rsplit(" ", 1)[0] + "…"
