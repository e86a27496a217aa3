"""The ManCo report's "Problems and improvements": the figures are problems.selectors.month_section (their
one definition); this turns a report's period into its arguments and says in the council's words how
each figure is counted (the PDF's Annex B and the XLSX's Definitions sheet)."""

from __future__ import annotations

from problems.selectors import month_section

from ..periods import Period


def problem_management(period: Period) -> dict:
    """The section of the period: the whole desk's problems, whatever the report's scope (a problem spans
    sites and groups)."""
    return month_section(period.start, period.end)


DEFINITIONS = (
    (
        "Problems opened",
        "Problem records the service desk opened in the month: a fault behind one or more incidents whose "
        "cause it sets out to find.",
    ),
    ("Problems resolved", "Problems whose permanent fix was in place in the month (their root cause found)."),
    (
        "Incidents linked to problems",
        "Incidents logged in the month that the service desk linked to a problem, whatever the month the "
        "problem was opened.",
    ),
    (
        "Top recurring faults",
        "The problems with the most incidents logged in the month, with their service, status and root "
        "cause.",
    ),
    (
        "Improvement actions due, done and overdue",
        "Actions of the improvement register due in the month, done in the month, and overdue at its end "
        "(still planned or in progress after their due date; cancelled actions are left out).",
    ),
)
