"""Markdown with script, event handlers and javascript: links is rendered safe (knowledge/rendering.py)."""

import pytest

from knowledge.rendering import markdown_to_safe_html, plain_snippet

HOSTILE = [
    ("<script>alert('x')</script>", "<script"),
    ("<SCRIPT SRC=//evil.example/x.js></SCRIPT>", "script"),
    ("[click](javascript:alert(1))", "javascript:"),
    ("[click](JaVaScRiPt:alert(1))", "javascript:"),
    ('<a href="javascript:alert(1)">x</a>', "javascript:"),
    ('<a href="#" onclick="steal()">x</a>', "onclick"),
    ('<img src="x" onerror="alert(1)">', "onerror"),
    ('<img src="https://evil.example/track.png">', "<img"),
    ('<p style="background:url(javascript:alert(1))">x</p>', "style"),
    ('<iframe src="https://evil.example"></iframe>', "<iframe"),
    ("[x](data:text/html;base64,PHNjcmlwdD4=)", "data:"),
    ('<svg onload="alert(1)"></svg>', "onload"),
    ('<form action="https://evil.example"><input name="password"></form>', "<form"),
]


@pytest.mark.parametrize(("markdown", "forbidden"), HOSTILE)
def test_hostile_markup_is_removed(markdown, forbidden):
    html = markdown_to_safe_html(f"Before\n\n{markdown}\n\nAfter")
    assert forbidden not in html.lower()
    assert "Before" in html and "After" in html


def test_ordinary_markdown_survives():
    html = markdown_to_safe_html(
        "## Steps\n\n1. Open **Settings**\n2. Choose *Printers*\n\n[Log a ticket](/tickets/new/) or "
        "[the council site](https://www.mbhashemun.gov.za)\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert "<h2>Steps</h2>" in html and "<strong>Settings</strong>" in html and "<ol>" in html
    assert 'href="/tickets/new/"' in html and 'href="https://www.mbhashemun.gov.za"' in html
    assert 'rel="noopener noreferrer"' in html and "<table>" in html


def test_snippet_is_plain_text():
    assert plain_snippet("**Reset** your <b>password</b> & more\n\n- one") == "Reset your password & more one"
    assert len(plain_snippet("word " * 100, length=40)) <= 40
