"""The knowledge base in the ManCo report and on the dashboard: calls it saved and what to write next.

The figures are knowledge.selectors.knowledge_figures (their one definition); this only turns a report's
period into its arguments and the answer into words the council reader gets. A monthly report's build
keeps the month's figures in its snapshot (self_help_snapshot), so its PDF and XLSX show the same numbers
however often they are redrawn (self_help_of).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from django.utils import timezone

from knowledge.selectors import KnowledgeFigures, knowledge_figures


def self_help_between(start: datetime, end: datetime) -> KnowledgeFigures:
    """The figures of [start, end); articles due for review as of the period's last day (today for a month
    so far)."""
    today = min(timezone.localdate(), timezone.localtime(end).date())
    return knowledge_figures(start=start, end=end, today=today)


def self_help_for(period: dict) -> KnowledgeFigures:
    """The period of a month report (report["period"]: ISO start and end)."""
    return self_help_between(datetime.fromisoformat(period["start"]), datetime.fromisoformat(period["end"]))


def self_help_snapshot(start: datetime, end: datetime) -> dict:
    """The figures as JSON-ready data, for a report run's snapshot."""
    return asdict(self_help_between(start, end))


def self_help_of(report: dict) -> KnowledgeFigures:
    """The report's self-help figures: those its snapshot kept when it was built, or, for a report without
    them (the dashboard's, or a run built before they were kept), counted now."""
    kept = report.get("self_help")
    if not kept:
        return self_help_for(report["period"])
    return KnowledgeFigures(
        **{**kept, "unanswered_searches": [(words, times) for words, times in kept["unanswered_searches"]]}
    )


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
