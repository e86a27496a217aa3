"""The charts as a reader sees them: a title on each, labels whole, legends apart, trends from the data.

The SVG is parsed and its text measured with the same widths the charts lay it out with (DejaVu Sans,
the PDF's font and the widest the page falls back to)."""

import xml.etree.ElementTree as ET

import pytest

from reports import charts, kpis
from reports.periods import month_period
from tests.reports import scenario as answers

SVG = "{http://www.w3.org/2000/svg}"


def _tree(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))  # noqa: S314 - our own drawing, not outside input


def _text_lines(element: ET.Element) -> list[str]:
    spans = element.findall(f"{SVG}tspan")
    return [span.text or "" for span in spans] if spans else [element.text or ""]


def _texts(svg: str) -> list[ET.Element]:
    return list(_tree(svg).iter(f"{SVG}text"))


@pytest.fixture
def october_charts(scenario):
    return charts.report_charts(kpis.month_report(month_period(answers.OCTOBER), include_annex=True))


def test_every_chart_shows_its_title_and_gives_it_to_screen_readers(october_charts):
    assert set(october_charts) >= {"volumes", "compliance", "resolution_time", "satisfaction", "top_services"}
    for name, svg in october_charts.items():
        root = _tree(svg)
        title = root.find(f"{SVG}title").text
        assert title, name
        assert root.get("role") == "img" and root.get("aria-label") == title, name
        drawn = " ".join(
            " ".join(_text_lines(text))
            for text in root.iter(f"{SVG}text")
            if text.get("font-weight") == "bold"
        )
        assert drawn == title, name  # the title is drawn at the top, whole (it fits in two lines)


def test_bar_labels_are_whole_and_fit_left_of_their_bars():
    labels = [
        "Desk telephones and extensions",
        "Access to systems and shared folders",
        "Dutywa Town Hall (Community Services)",
        "Willowvale",
    ]
    svg = charts.bar_chart(labels, [3, 4, 7, 2], title="Tickets logged per service")
    label_texts = [t for t in _texts(svg) if t.get("text-anchor") == "end"]
    drawn = [" ".join(_text_lines(t)) for t in label_texts]
    assert drawn == labels  # whole: no letter cut off, no ellipsis
    bar_x = min(float(rect.get("x")) for rect in _tree(svg).iter(f"{SVG}rect"))
    for text in label_texts:
        right = float(text.get("x"))
        for line in _text_lines(text):
            width = charts.text_width(line, float(text.get("font-size")))
            assert right - width >= 0, line  # starts inside the chart, not cut off on the left
            assert right <= bar_x, line


def test_a_label_too_long_for_two_lines_is_shortened_with_its_full_text_in_the_tooltip():
    label = "A service with a name so long that no chart column could ever hold it on two lines at all"
    svg = charts.bar_chart([label], [5], title="Per service", width=400)
    text = next(t for t in _texts(svg) if t.get("text-anchor") == "end")
    lines = _text_lines(text)
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert all(charts.text_width(line) <= 400 * 0.45 for line in lines)
    assert f"<title>{label}: 5</title>" in svg


def test_wrap_text_breaks_between_words_and_never_exceeds_the_width():
    assert charts.wrap_text("Access to systems and shared folders", 150) == [
        "Access to systems and",
        "shared folders",
    ]
    assert charts.wrap_text("Willowvale", 150) == ["Willowvale"]
    for width in (40, 80, 120, 200):
        for line in charts.wrap_text("Municipal cell phones and data bundles for councillors", width):
            assert charts.text_width(line) <= width or " " not in line


def test_legend_entries_are_laid_out_apart_and_wrap_when_the_chart_is_narrow():
    names = ["First-contact resolution", "Rated 4 or 5", "Resolution target met", "Open at month end"]
    for width in (560, 300):
        svg = charts.line_chart(
            ["Sep", "Oct"],
            [(name, [50.0, 60.0]) for name in names],
            title="Trend",
            unit="percent",
            width=width,
        )
        entries = []
        for text in _texts(svg):
            if (text.text or "") in names:
                entries.append((float(text.get("y")), float(text.get("x")), text.text))
        assert sorted(name for _, _, name in entries) == sorted(names)
        for (y1, x1, name1), (y2, x2, _) in zip(sorted(entries), sorted(entries)[1:], strict=False):
            if y1 == y2:
                assert x1 + charts.text_width(name1) + 10 <= x2, (
                    name1,
                    width,
                )  # no legend runs into the next
        for _, x, name in entries:
            assert x + charts.text_width(name) <= width, (name, width)  # and none runs off the chart
    narrow = {y for y, _, _ in entries}
    assert len(narrow) > 1  # at 300 the legend took a second line


def test_trends_start_at_the_first_month_with_data():
    labels = ["May 2026", "Jun 2026", "Jul 2026", "Aug 2026", "Sep 2026", "Oct 2026"]
    columns = charts.column_chart(
        labels, [("Logged", [0, 0, 0, 5, 0, 7]), ("Resolved", [0, 0, 0, 3, 2, 6])], title="Volumes"
    )
    lines = charts.line_chart(
        labels, [("Met", [None, None, None, None, 80.0, 75.0])], title="SLA", unit="percent"
    )
    month_labels = lambda svg: [t.text for t in _texts(svg) if (t.text or "").endswith("2026")]  # noqa: E731
    assert month_labels(columns) == ["Aug 2026", "Sep 2026", "Oct 2026"]  # a quiet month inside stays
    assert month_labels(lines) == ["Sep 2026", "Oct 2026"]
    empty = charts.line_chart(labels, [("Met", [None] * 6)], title="SLA", unit="percent")
    assert "Nothing to show for this period." in empty


def test_the_scenario_trend_begins_with_its_first_month_of_tickets(october_charts):
    shown = [t.text for t in _texts(october_charts["volumes"]) if (t.text or "").endswith("2026")]
    assert shown == ["Sep 2026", "Oct 2026"]  # the scenario's tickets start in September


def test_axes_step_by_round_numbers():
    assert charts._nice_ceiling(132) == 200  # 0, 50, 100, 150, 200
    assert charts._nice_ceiling(50) == 80  # 0, 20, 40, 60, 80
    assert charts._nice_ceiling(23) == 40
    assert charts._nice_ceiling(1) == 1
