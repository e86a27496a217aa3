"""The knowledge base in the ManCo report and on the dashboard: calls it saved and what to write next.

The figures are knowledge.selectors.knowledge_figures (their one definition); this only turns a report's
period into its arguments and the answer into words the council reader gets.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from knowledge.selectors import KnowledgeFigures, knowledge_figures


def self_help_for(period: dict) -> KnowledgeFigures:
    """The period of a month report (report["period"]: ISO start and end)."""
    start, end = datetime.fromisoformat(period["start"]), datetime.fromisoformat(period["end"])
    today = min(timezone.localdate(), timezone.localtime(end).date())
    return knowledge_figures(start=start, end=end, today=today)


DEFINITIONS = (
    (
        "Tickets not logged (deflections)",
        "A person about to log a ticket opened a suggested help article and said it solved their problem; "
        "no ticket was logged.",
    ),
    (
        "Articles used in replies",
        "Articles the service desk sent in public replies (by their KB reference) in the month, "
        "once per ticket.",
    ),
    (
        "Helpfulness",
        "Answers to “Did this help?” on all published articles (one answer per person per article).",
    ),
    ("Articles due for review", "Published articles whose review date has passed."),
    ("Searches with no result", "Words searched on the help page that found no article: what to write next."),
)
