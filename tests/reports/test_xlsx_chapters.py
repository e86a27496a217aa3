"""The ManCo workbook's sheets for the PDF's chapters 7 (self-help), 9 (problems and improvements) and 10
(changes): opened with openpyxl and checked against a month built by hand (March 2027, with February
before it), and against the figures the PDF's chapters print from the same snapshot."""

import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from changes.models import ChangeApproval, ChangeStatus, Outcome
from common import access
from knowledge import services as knowledge
from knowledge.models import ArticleStatus, ArticleUse
from problems import services as problems
from reports import documents, kpis
from reports.periods import TZ, month_period
from reports.self_help import self_help_for
from tests.factories import ChangeFactory, ProblemFactory, ServiceFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db
MARCH = date(2027, 3, 1)


def at(month, day, hour=10):
    return datetime(2027, month, day, hour, tzinfo=TZ)


def done_change(day, outcome, **fields):
    return ChangeFactory(
        **{"status": ChangeStatus.IMPLEMENTED, "outcome": outcome, "implemented_at": at(3, day), **fields}
    )


@pytest.fixture
def month(frozen, staff_user, manager_user):
    """February and March 2027 through the services, with every answer worked out by hand below."""
    technician = UserFactory(role=access.TECHNICIAN, first_name="Sipho", last_name="Ndlovu")
    reviewer = UserFactory(role=access.TECHNICIAN, first_name="Nomsa", last_name="Dlamini")
    printing = ServiceFactory(name="Printing")
    mail = ServiceFactory(name="E-mail")

    def incidents(n, service=printing):
        return [TicketFactory(requester=staff_user, service=service) for _ in range(n)]

    # February: one problem with one incident, one change, one deflection, an action left overdue.
    frozen(2027, 2, 10, 9, 0)
    article = knowledge.article_create(by=technician, title="Clear the printer queue", body="Restart it.")
    knowledge.article_change_status(article=article, by=technician, to=ArticleStatus.IN_REVIEW)
    article = knowledge.article_change_status(article=article, by=reviewer, to=ArticleStatus.PUBLISHED)
    knowledge.deflection_record(article=article, user=staff_user, typed="printer stuck")
    power_dip = ProblemFactory(by=technician, service=printing, summary="Willowvale queue stalls after a dip")
    problems.problem_link_incidents(problem=power_dip, tickets=incidents(1), by=technician)
    ChangeFactory(status=ChangeStatus.IMPLEMENTED, outcome=Outcome.SUCCESSFUL, implemented_at=at(2, 11))
    late = problems.improvement_raise(
        by=manager_user, what="Fit surge protection at Willowvale", reason="problem", problem=power_dip,
        owner=manager_user, due_on=date(2027, 2, 15),
    )  # fmt: skip

    # March.
    frozen(2027, 3, 3, 9, 0)
    toner = ProblemFactory(by=technician, service=printing, summary="Toner reported empty when full")
    problems.problem_link_incidents(problem=toner, tickets=incidents(3), by=technician)
    problems.problem_link_incidents(problem=power_dip, tickets=incidents(1), by=technician)
    frozen(2027, 3, 5, 9, 0)
    relay = ProblemFactory(by=technician, service=mail, summary="Mail relay refuses large attachments")
    problems.problem_link_incidents(problem=relay, tickets=incidents(1, mail), by=technician)
    problems.problem_update(
        problem=relay, by=technician,
        changes={"root_cause": "Relay size limit 5 MB.", "root_cause_category": "software",
                 "permanent_fix": "Limit raised to 25 MB.", "workaround": "Send a link."},
    )  # fmt: skip
    problems.problem_change_status(problem=relay, to="resolved", by=technician)
    due_open = problems.improvement_raise(
        by=manager_user, what="Train Finance on the printer queue", reason="manco", comment="Why?",
        owner=manager_user, due_on=date(2027, 3, 20),
    )  # fmt: skip
    due_done = problems.improvement_raise(
        by=manager_user, what="Spare toner at each site", reason="problem", problem=toner,
        owner=manager_user, due_on=date(2027, 3, 25),
    )  # fmt: skip
    problems.improvement_raise(
        by=manager_user, what="Replace the UPS batteries", reason="manco", comment="Power.",
        owner=manager_user, due_on=date(2027, 4, 30),
    )  # fmt: skip
    frozen(2027, 3, 22, 9, 0)
    problems.improvement_update(
        improvement=due_done, by=manager_user, changes={"status": "done", "outcome": "Two at each site."}
    )
    knowledge.deflection_record(article=article, user=staff_user, typed="toner empty")
    knowledge.deflection_record(article=article, user=manager_user, typed="printer queue")
    replied = incidents(1)[0]
    knowledge.article_uses_record(ticket=replied, article_ids=[article.pk], kind=ArticleUse.Kind.REPLY)
    knowledge.article_feedback(article=article, user=staff_user, helpful=True)
    knowledge.search_record(words="Munsoft export", results=0, user=staff_user)
    knowledge.search_record(words="munsoft  export", results=0, user=manager_user)
    knowledge.search_record(words="vpn", results=3, user=staff_user)

    ok = done_change(2, Outcome.SUCCESSFUL, summary="Add a network point in Finance")
    done_change(3, Outcome.WITH_ISSUES, review="Slow.", services=[mail])
    failed = done_change(4, Outcome.FAILED, review="Uplink faulty.", summary="Replace the Willowvale switch")
    failed.caused_incidents.add(*incidents(2))
    emergency = done_change(5, Outcome.SUCCESSFUL, type="emergency", summary="Restore the mail server")
    critical = done_change(26, Outcome.SUCCESSFUL, in_critical_period=True, summary="Patch Munsoft")
    ChangeApproval.objects.create(
        change=critical, approver=manager_user, decision="approved", at=at(3, 20),
        justification="Vendor's only window.",
    )  # fmt: skip
    frozen(2027, 4, 2, 9, 0)
    return {
        "article": article,
        "problems": (power_dip, toner, relay),
        "actions": (late, due_open, due_done),
        "changes": (ok, failed, emergency, critical),
        "staff": staff_user,
    }


def _book(report):
    return load_workbook(io.BytesIO(documents.build_xlsx(report, commentary={})))


def _block(sheet, title):
    """The rows of the table titled `title` on a sheet of several (header row first), to the blank line."""
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == title)
    width = sum(1 for cell in rows[start + 1] if cell is not None)  # the header's columns
    out = []
    for row in rows[start + 1 :]:
        if row[0] is None:
            break
        out.append(tuple(row[:width]))
    return out


def _figures(sheet, label):
    return {row[0]: row[1] for row in _block(sheet, label)[1:]}


@pytest.fixture
def report(month):
    return kpis.month_report(month_period(MARCH), include_annex=True)


def test_the_problems_sheet_counts_the_hand_built_month(month, report):
    power_dip, toner, relay = month["problems"]
    late, due_open, due_done = month["actions"]
    sheet = _book(report)["Problems"]
    assert _figures(sheet, "March 2027") == {
        "Problems opened": 2,  # toner, relay (power dip was February's)
        "Problems resolved": 1,  # relay
        "Incidents logged in the period linked to a problem": 5,  # 3 toner + 1 power dip + 1 relay
        "Improvement actions due in the period": 2,  # due_open, due_done (April's is not)
        "Improvement actions done in the period": 1,  # due_done
        "Improvement actions overdue at its end": 2,  # due_open and February's late one
    }
    faults = _block(sheet, "Top recurring faults")
    assert faults[0] == ("Problem", "Summary", "Service", "Status", "Root cause", "Incidents in the period")
    # By incidents in the month, then priority, then the older problem.
    assert [(r[0], r[5]) for r in faults[1:]] == [
        (toner.reference, 3),
        (power_dip.reference, 1),
        (relay.reference, 1),
    ]
    assert next(r for r in faults if r[0] == relay.reference)[3:5] == ("Resolved", "Software")
    actions = {r[0]: r for r in _block(sheet, "Improvement actions due, done or overdue")[1:]}
    assert set(actions) == {late.reference, due_open.reference, due_done.reference}
    assert actions[late.reference][3] == datetime(2027, 2, 15, tzinfo=TZ).replace(tzinfo=None)  # a date cell
    assert [actions[a.reference][5] for a in (late, due_open, due_done)] == ["yes", "yes", "no"]
    assert actions[due_done.reference][4:] == ("Done", "no", "Two at each site.")
    # The same numbers as the PDF's chapter 9 (the one snapshot): nothing counted twice.
    chapter = report["problems"]
    assert (chapter["opened"], chapter["resolved"], chapter["linked_incidents"]) == (2, 1, 5)
    assert [r[0] for r in faults[1:]] == [r["reference"] for r in chapter["top_faults"]]
    trend = _block(sheet, "Against earlier months")
    assert trend == [
        ("Month", "Problems opened", "Problems resolved", "Incidents linked", "Actions due", "Actions done",
         "Actions overdue"),
        ("Feb 2027", 1, 0, 1, 1, 0, 1),
        ("Mar 2027", 2, 1, 5, 2, 1, 2),
    ]  # fmt: skip


def test_the_changes_sheet_has_a_row_per_change_and_the_chapters_figures(month, report):
    ok, failed, emergency, critical = month["changes"]
    sheet = _book(report)["Changes"]
    assert _figures(sheet, "March 2027") == {
        "Changes carried out": 5,
        "Succeeded (with or without issues)": 4,
        "Success rate (%)": 80.0,
        "Emergency changes": 1,
        "Changes that caused incidents": 1,
        "Incidents caused by changes": 2,
        "Changes in critical periods": 1,
    }
    by_type = {r[0]: r[1:] for r in _block(sheet, "By type and outcome")[1:]}
    assert by_type == {
        "Standard (pre-approved)": (0, 0, 0, 0, 0),
        "Normal": (4, 2, 1, 1, 0),
        "Emergency": (1, 1, 0, 0, 0),
    }
    every = _block(sheet, "Every change carried out in the period")
    header, rows = every[0], {r[0]: dict(zip(every[0], r, strict=True)) for r in every[1:]}
    assert len(rows) == 5 and header[0] == "Change"
    assert rows[failed.reference]["Outcome"] == "Failed" and rows[failed.reference]["Incidents caused"] == 2
    assert (
        rows[failed.reference]["Succeeded"] == "no" and rows[failed.reference]["Review"] == "Uplink faulty."
    )
    assert rows[emergency.reference]["Emergency approved after the fact"] == "no"
    assert rows[ok.reference]["Emergency approved after the fact"] is None  # not an emergency change
    assert rows[critical.reference]["In a critical period"] == "yes"
    assert rows[critical.reference]["Justification"] == "Vendor's only window."
    assert rows[critical.reference]["Carried out"] == at(3, 26).replace(
        tzinfo=None
    )  # local time, a date cell
    assert [r[0] for r in every[1:]] == [c["reference"] for c in report["change_management"]["changes"]]
    trend = _block(sheet, "Against earlier months")
    assert trend[1:] == [("Feb 2027", 1, 100.0, 0, 0, 0), ("Mar 2027", 5, 80.0, 1, 1, 1)]


def test_the_self_help_sheet_is_kept_with_the_report(month, report, frozen):
    sheet = _book(report)["Self-help"]
    assert _figures(sheet, "March 2027") == {
        "Tickets not logged: a help article answered (deflections)": 2,
        "Help articles sent in the desk's replies": 1,
        "“Did this help?”: yes": 2,  # a deflection is a "yes" too; the staff member's second answer replaced
        "“Did this help?”: no": 0,
        "“Did this help?”: share yes (%)": 100.0,
        "Articles due for review": 0,
    }
    searched = _block(sheet, "Most searched words with no article (what to write next)")
    assert searched[1:] == [("munsoft export", 2)]
    assert _block(sheet, "Against earlier months")[1:] == [("Feb 2027", 1, 0), ("Mar 2027", 2, 1)]
    # A late deflection (dated in March) changes neither the XLSX nor the PDF's chapter 7 redrawn from
    # this snapshot: both read the figures the build kept.
    frozen(2027, 3, 30, 9, 0)
    knowledge.deflection_record(article=month["article"], user=month["staff"], typed="late")
    again = _book(report)["Self-help"]
    assert _figures(again, "March 2027")["Tickets not logged: a help article answered (deflections)"] == 2
    assert documents.pdf_context(report, commentary={})["self_help"].deflections == 2
    assert self_help_for(report["period"]).deflections == 3  # counted live, it is there


def test_the_definitions_sheet_words_every_new_figure(month, report):
    book = _book(report)
    definitions = {r[0]: r[1] for r in book["Definitions"].iter_rows(values_only=True) if r[0]}
    for words_of in (
        documents.SELF_HELP_DEFINITIONS,
        documents.PROBLEM_DEFINITIONS,
        documents.CHANGE_DEFINITIONS,
    ):
        for name, words in words_of:
            assert definitions[name] == words, name
    assert book.sheetnames.index("Self-help") == book.sheetnames.index("Technicians") + 1
    assert book.sheetnames[-3:] == ["Problems", "Changes", "Commentary"]
    for name in ("Self-help", "Problems", "Changes"):
        assert [chart.title is not None for chart in book[name]._charts] == [True]


def test_a_run_built_before_these_chapters_still_draws(month, report):
    old = {k: v for k, v in report.items() if k not in ("problems", "change_management", "section_trend")}
    old.pop("self_help")
    book = _book(old)
    assert "Problems" not in book.sheetnames and "Changes" not in book.sheetnames
    assert _figures(book["Self-help"], "March 2027")["Help articles sent in the desk's replies"] == 1
    kept = {**report, "change_management": {**report["change_management"]}}
    kept["change_management"].pop("changes")
    assert "built before each change was listed" in str(
        [r[0] for r in _book(kept)["Changes"].iter_rows(values_only=True)]
    )


def test_the_build_counts_the_trend_in_a_fixed_number_of_queries(month):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as captured:
            kpis.month_report(month_period(MARCH), include_annex=True)
        return len(captured)

    count()  # warm the per-process caches (slas.calendars: the agreement's calendar row)
    few = count()
    for day in range(6, 16):
        done_change(day, Outcome.FAILED, review="x").caused_incidents.add(TicketFactory())
        ProblemFactory(summary=f"Fault {day}")
    assert count() == few
