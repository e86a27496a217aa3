"""Search: title matches first, prefixes, typos staff really type, the loose pass, the SQLite fallback,
and the searches that found nothing recorded (what to write next)."""

import pytest
from django.urls import reverse

from knowledge import search, selectors
from knowledge.models import SearchRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(write):
    return {
        "printer": write("Printer not printing", body="Open the print queue and cancel every document."),
        "scanner": write(
            "Scanner sends nothing",
            body="The printer and scanner share a tray; the printer must be on first.",
        ),
        "password": write("Reset your password", body="Choose Forgot password on the sign-in page."),
        "vpn": write(
            "VPN or MPLS link down at Willowvale", body="Check the router lights and phone the desk."
        ),
    }


def titles(user, q):
    return [article.title for article in selectors.article_list(user, q=q)]


def test_a_title_match_ranks_before_a_body_match(staff, library):
    found = titles(staff, "printer")
    assert found[0] == "Printer not printing" and "Scanner sends nothing" in found


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("prin", "Printer not printing"),  # the word being typed
        ("printer not printing", "Printer not printing"),
        ("pasword", "Reset your password"),  # typos staff really type
        ("printr", "Printer not printing"),
        ("willowvale vpn", "VPN or MPLS link down at Willowvale"),
        ("printer wifi", "Printer not printing"),  # no article has both words: any word will do
    ],
)
def test_what_staff_type_finds_the_article(staff, library, typed, expected):
    assert titles(staff, typed)[:1] == [expected]


def test_nothing_found_for_nonsense(staff, library):
    assert titles(staff, "qwertyuiop") == []


def test_suggestions_are_at_most_three_and_prefer_the_chosen_service(staff, write):
    from tests.factories import ServiceFactory

    printing = ServiceFactory(name="Printing")
    for n in range(4):
        write(f"Printer tip {n}")
    chosen = write("Printer toner low", services_=[printing])
    found = selectors.suggestions(staff, "printer", service_id=printing.pk)
    assert len(found) == 3 and found[0] == chosen


def test_the_plain_fallback_for_sqlite_finds_and_ranks_title_matches_first(staff, library, monkeypatch):
    monkeypatch.setattr(search, "full_text_available", lambda: False)
    assert titles(staff, "printer")[0] == "Printer not printing"
    assert titles(staff, "print queue") == ["Printer not printing"]
    readable = selectors.readable_articles(staff)
    assert list(search.article_search(readable, "printer sign-in")) == []  # all words first...
    assert "Reset your password" in titles(staff, "password wifi")  # ...then any word
    assert titles(staff, "pasword")[:1] == ["Reset your password"]  # ...then the closest title words
    assert titles(staff, "printr")[:1] == ["Printer not printing"]


def test_help_page_records_searches_and_what_found_nothing(client, staff, library):
    client.force_login(staff)
    client.get(reverse("knowledge:help"), {"q": "Printer"})
    client.get(reverse("knowledge:help"), {"q": "teams meeting"})
    assert list(SearchRecord.objects.order_by("pk").values_list("words", "results")) == [
        ("printer", 2),
        ("teams meeting", 0),
    ]


def test_a_typo_in_a_word_of_the_body_is_forgiven_too(staff, library):
    # "cancle" is nobody's title word: the vocabulary holds the bodies' words as well.
    assert titles(staff, "cancle")[:1] == ["Printer not printing"]


def test_the_vocabulary_keeps_the_words_of_every_article_written(write):
    from knowledge.models import SearchWord

    write("Toner smudges on every page", body="Shake the cartridge gently.")
    words = set(SearchWord.objects.values_list("word", flat=True))
    assert {"toner", "smudges", "cartridge", "gently"} <= words
    assert not {"on", "a"} & words  # words of one or two letters are nobody's typo


def test_a_search_page_and_its_count_are_one_query(staff, write, django_assert_num_queries):
    for n in range(25):
        write(f"Printer tip {n}")
    readable = selectors.readable_articles(staff)
    with django_assert_num_queries(1):  # the first pass finds: its page with the count
        page = selectors.search_page(staff, "printer", number=2)
        assert page.paginator.count == 25 and len(page.object_list) == 5 and page.number == 2
    assert selectors.search_page(staff, "printer", number=9).number == 2  # past the end: the last page
    assert selectors.search_page(staff, "printer", number="x").number == 1
    assert selectors.search_page(staff, "qwertyuiop").paginator.count == 0
    typo = selectors.search_page(staff, "printr tipp")  # all words, any word, then the typo pass
    assert typo.paginator.count == 25
    assert readable.count() == 25
