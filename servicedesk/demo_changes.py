"""A month of believable changes at Mbashe, lived through changes.services on the demo's moving clock
(servicedesk/demo_clock.py), as the ticket history is: raised, submitted, assessed, approved (twice for a
high-risk one), scheduled, carried out, reviewed; one failed and caused incidents, one inside the
financial system's month-end, an emergency approved after the fact, one rejected, some still ahead."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from catalogue.critical_periods import working_days_of_month
from catalogue.models import Service
from changes import services
from changes.models import Change, ChangeTemplate
from incidents.models import Ticket
from sites.models import Site

from .demo_clock import moving_clock


@dataclass(frozen=True)
class Story:
    summary: str
    reason: str
    day: date  # local date the work is planned
    hour: int
    hours: int
    sites: tuple[str, ...]
    services: tuple[str, ...] = ()
    type: str = "normal"
    template: str = ""
    likelihood: str = "low"
    impact: str = "medium"
    interrupts: bool = False
    ends: str = "closed"  # draft, assessed, rejected, scheduled, or closed
    outcome: str = "successful"
    review: str = ""
    justification: str = ""
    plans: tuple[str, str, str] = (
        "Follow the vendor's procedure; keep the change log on the ticket.",
        "Restore the saved configuration and the previous version.",
        "Users at the site sign in, open the intranet and print a test page.",
    )
    caused_incidents: int = 0
    raised_days_before: int = 7


def _stories(today: date) -> list[Story]:
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    month_end = working_days_of_month(last_month.year, last_month.month)[-2]

    def ago(days: int) -> date:
        # Planned work at Mbashe happens on weekdays (after hours): a weekend day moves to the Monday.
        day = today - timedelta(days=days)
        return day + timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day

    return [
        Story(
            "Add two network points in the Finance office",
            "Two new creditors clerks start on the 1st.",
            ago(26),
            9,
            2,
            ("Dutywa Main Building",),
            ("Network points and Wi-Fi",),
            type="standard",
            template="Add a network point",
        ),
        Story(
            "Replace the Willowvale access switch",
            "The switch drops links under load: eleven tickets about the network at Willowvale last month.",
            ago(22),
            17,
            3,
            ("Willowvale",),
            ("Site network link",),
            likelihood="medium",
            impact="high",
            interrupts=True,
            outcome="failed",
            review="The replacement switch's uplink module was faulty; the link did not come up. The old "
            "switch was put back at 20:40, but three PCs kept a wrong address until the morning. A tested "
            "spare module is now kept at Dutywa.",
            caused_incidents=3,
        ),
        Story(
            "Patch the financial management system to 7.2",
            "The vendor's fix for the VAT rounding error in creditor payments.",
            month_end,
            17,
            3,
            ("Dutywa Main Building",),
            ("Financial management system",),
            likelihood="medium",
            impact="high",
            interrupts=True,
            outcome="with_issues",
            review="Patched; the report server needed a restart at 19:30 before month-end reports ran.",
            justification="The vendor's only window before the year-end; payments run on the 7.1 rounding "
            "error otherwise. The CFO agreed; the patch was rehearsed on the test copy.",
        ),
        Story(
            "Upgrade the firewall firmware at Dutywa",
            "The current firmware leaves support at the end of the quarter; two critical fixes.",
            ago(15),
            18,
            3,
            ("Dutywa Main Building",),
            ("Internet access",),
            likelihood="high",
            impact="high",
            interrupts=True,
        ),
        Story(
            "Restore the mail relay after its certificate expired",
            "Outgoing mail stopped at 07:50: the relay's certificate expired overnight.",
            ago(12),
            8,
            1,
            ("Dutywa Main Building",),
            ("E-mail and calendars",),
            type="emergency",
            impact="high",
        ),
        Story(
            "Replace the Customer Care receipt printer",
            "The printer is beyond economical repair.",
            ago(9),
            8,
            1,
            ("Customer Care",),
            ("Printing, copying and scanning",),
            type="standard",
            template="Replace a toner-cartridge printer",
        ),
        Story(
            "Open remote desktop to the internet for the billing vendor",
            "The vendor asks for direct access to support the billing server.",
            ago(6),
            10,
            2,
            ("Dutywa Main Building",),
            ("Revenue and billing system",),
            likelihood="high",
            impact="high",
            ends="rejected",
        ),
        Story(
            "Replace the server room UPS batteries",
            "The batteries are five years old and held 6 minutes in the last test.",
            ago(-3),
            17,
            2,
            ("Dutywa Main Building",),
            (),
            likelihood="low",
            impact="high",
            interrupts=True,
            ends="scheduled",
        ),
        Story(
            "Move Elliotdale to the new fibre link",
            "The wireless link fails in storms; the fibre is in.",
            ago(-6),
            16,
            3,
            ("Elliotdale",),
            ("Site network link", "Internet access"),
            likelihood="medium",
            impact="high",
            interrupts=True,
            ends="assessed",
            raised_days_before=10,
        ),
        Story(
            "Move the shared drives to the new storage",
            "The file server's disks are full and out of warranty.",
            ago(-12),
            17,
            5,
            ("Dutywa Main Building",),
            ("Shared drives and file storage",),
            likelihood="medium",
            impact="medium",
            ends="draft",
            raised_days_before=14,
        ),
    ]


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), timezone.get_current_timezone())


def _steps(story: Story, people: dict, records: dict) -> list[tuple[datetime, Callable[[], None]]]:
    start = _at(story.day, story.hour)
    end = start + timedelta(hours=story.hours)
    raised = start - timedelta(days=story.raised_days_before if story.type != "emergency" else 0, minutes=30)
    tech, manager, director = people["technician"], people["manager"], people["director"]
    steps: list[tuple[datetime, Callable[[], None]]] = []

    def create() -> None:
        plans: dict[str, Any] = (
            {}
            if story.template
            else {
                "likelihood": story.likelihood,
                "impact": story.impact,
                "implementation_plan": story.plans[0],
                "backout_plan": story.plans[1],
                "test_plan": story.plans[2],
            }
        )
        template = ChangeTemplate.objects.get(name=story.template) if story.template else None
        records[story.summary] = services.change_create(
            by=tech,
            summary=story.summary,
            reason=story.reason,
            type=story.type,
            template=template,
            services=list(Service.objects.filter(name__in=story.services)),
            sites=list(Site.objects.filter(name__in=story.sites)),
            planned_start=start,
            planned_end=end,
            interrupts_service=story.interrupts,
            implementer=tech,
            **plans,
        )

    def move(to: str, by, **kwargs):
        return lambda: services.change_transition(change=records[story.summary], by=by, to=to, **kwargs)

    def decide(by, decision="approved", **kwargs):
        return lambda: services.change_decide(
            change=records[story.summary], by=by, decision=decision, **kwargs
        )

    def second_approval():
        change = records[story.summary]
        change.refresh_from_db()
        if change.status == "assessed":
            services.change_decide(
                change=change, by=director, decision="approved", justification=story.justification
            )

    steps.append((raised, create))
    if story.ends == "draft":
        return steps
    if story.type == "standard":
        steps.append((raised + timedelta(minutes=10), move("scheduled", tech)))
    elif story.type == "emergency":
        steps.append(
            (raised + timedelta(minutes=5), move("submitted", tech, note="Mail is down for everyone."))
        )
        steps.append((start, move("in_progress", tech)))
    else:
        assess = raised + timedelta(days=1, hours=2)
        steps.append((raised + timedelta(minutes=20), move("submitted", tech)))
        steps.append((assess, move("assessed", manager)))
        if story.ends == "assessed":
            return steps
        if story.ends == "rejected":
            steps.append(
                (
                    assess + timedelta(hours=1),
                    decide(
                        manager,
                        "rejected",
                        note="No remote desktop from the internet: the vendor uses the VPN.",
                    ),
                )
            )
            return steps
        steps.append((assess + timedelta(hours=1), decide(manager, justification=story.justification)))
        # A high-risk normal change needs a second approval: the director's.
        steps.append((assess + timedelta(hours=4), second_approval))
        steps.append((assess + timedelta(hours=5), move("scheduled", tech)))
        if story.ends == "scheduled":
            return steps
        steps.append((start, move("in_progress", tech)))
    if story.type == "standard":
        steps.append((start, move("in_progress", tech)))
    steps.append((end, move("implemented", tech, outcome=story.outcome, review=story.review)))
    if story.type == "emergency":
        steps.append(
            (
                end + timedelta(days=1),
                decide(
                    manager, note="Approved after the fact: a renewal reminder is now on the ICT calendar."
                ),
            )
        )
    if story.caused_incidents:
        steps.append(
            (end + timedelta(days=2), lambda: _link_incidents(records[story.summary], story, tech, end))
        )
    steps.append((end + timedelta(days=3), move("reviewed", manager)))
    steps.append((end + timedelta(days=3, minutes=5), move("closed", manager)))
    return steps


def _link_incidents(change: Change, story: Story, by, after: datetime) -> None:
    tickets = Ticket.objects.filter(
        site__name__in=story.sites,
        kind="incident",
        created_at__gte=after,
        created_at__lt=after + timedelta(days=2),
    ).order_by("created_at")[: story.caused_incidents]
    for ticket in tickets:
        services.change_link_incident(change=change, ticket=ticket, by=by)


@transaction.atomic
def demo_changes_load(now: datetime | None = None) -> int:
    """Live the demo month's changes unless the database holds changes already; returns how many exist."""
    if Change.objects.exists():
        return Change.objects.count()
    now = now or timezone.now()
    User = get_user_model()
    people = {name: User.objects.get(username=name) for name in ("technician", "manager", "director")}
    records: dict[str, Change] = {}
    steps = []
    for story in _stories(timezone.localtime(now).date()):
        steps += [(at, order, step) for order, (at, step) in enumerate(_steps(story, people, records))]
    steps = sorted((s for s in steps if s[0] <= now), key=lambda s: (s[0], s[1]))
    if not steps:
        return 0
    with moving_clock(steps[0][0]) as clock:
        for at, _, step in steps:
            clock.set(at)
            step()
    return Change.objects.count()
