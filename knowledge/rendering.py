"""Markdown to safe HTML: the one place an article's body becomes markup.

`markdown` turns the text into HTML (raw HTML in the text passes through it), then `nh3` (the Rust
`ammonia` sanitiser) keeps only the tags and attributes below: no <script>, no event attributes
(onclick, onerror...), no style, and links only to http(s), mailto and tel or to our own pages
(relative). Links get rel="noopener noreferrer". Images are not allowed: an <img> pointing at another
host would break the pages' "no other host" rule and leak who reads what.
"""

from __future__ import annotations

import html

import markdown  # type: ignore[import-untyped]  # no stubs installed (types-Markdown)
import nh3

ALLOWED_TAGS = {
    *("p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "code", "kbd"),
    *("strong", "em", "b", "i", "u", "s", "del", "sub", "sup", "small", "mark"),
    *("ul", "ol", "li", "dl", "dt", "dd", "a", "abbr"),
    *("table", "thead", "tbody", "tr", "th", "td", "caption"),
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def markdown_to_safe_html(text: str) -> str:
    """The body as HTML that is safe to put on a page as it is."""
    html = markdown.markdown(
        text or "", extensions=["tables", "sane_lists", "fenced_code"], output_format="html"
    )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def plain_snippet(text: str, length: int = 160) -> str:
    """The first words of the body as plain text (no markup), for search results and suggestions."""
    plain = " ".join(html.unescape(nh3.clean(markdown.markdown(text or ""), tags=set())).split())
    return plain if len(plain) <= length else plain[: length - 1].rsplit(" ", 1)[0] + "…"
