"""One small stretch of service desk life, built by hand through the real services, with every KPI
worked out by hand below. Business hours are Monday-Friday 08:00-16:30 (8.5 h a day); October 2026 has
no public holiday. Standard SLA: P1 30 min / 4 h, P3 4 h / 3 days (25.5 h), P5 17 h / 10 days (85 h).

September 2026
  S1  Tue 15 Sep 09:00 P3 Dutywa Main, printing. tech1 takes it 09:05, resolves 11:00 at first contact.
  S2  Wed 30 Sep 15:00 P3 Willowvale, printing. tech1 takes it 15:10; resolved Thu 1 Oct 10:00:
      1.5 h + 2 h = 3.5 h (12,600 s): both clocks met. Open at the end of September.
October 2026
  T1  Thu 1 Oct 09:00 P3 Dutywa Main, printing, by phone (logged by tech1). Work starts 09:30 (response
      30 min, met); resolved 11:00 at first contact: 2 h (7,200 s). Rated 5.
  T2  Fri 2 Oct 08:00 P1 Elliotdale, network: the major incident. tech1 takes it 08:10, hands it to
      tech2 08:20 (1 handover); tech2 starts 09:00 (response 60 min > 30: breached); resolved 13:00:
      5 h (18,000 s) > 4 h: breached. Rated 2.
  T3  Fri 2 Oct 08:30 P3 Elliotdale, network; linked to T2 at 08:45, resolved with it at 13:00: 4.5 h
      (16,200 s), never responded to: response breached at 12:30; resolution met.
  T4  Mon 5 Oct 09:00 P3 Willowvale, accounts (a service request). tech1 takes it 09:30; pending on the
      requester 10:00 (1 h counted); the requester replies Tue 6 Oct 09:00; resolved 10:00 (2 h; the
      response clock stops there: met). Reopened Wed 7 Oct 09:00, resolved again 12:00: 2 + 3 = 5 h
      (18,000 s), met. Rated 4.
  T5  Mon 12 Oct 09:00 P5 Dutywa Main, printing. tech1 09:30, handed to tech2 10:00 (1 handover). Still
      open: its 85 h ran out on Mon 26 Oct 09:00, so it is overdue at the end of October.
  T6  Tue 20 Oct 10:00 P3 Dutywa Main, printing. tech1 starts 10:30 (met); resolved 12:00 (2 h, met);
      closed by the requester Wed 21 Oct 09:00. Not rated.
  T7  Wed 28 Oct 09:00 P3 Willowvale, printing; withdrawn by the requester 10:00.
  T8  Fri 30 Oct 15:00 P3 Elliotdale, printing; still new (1.5 h counted: not overdue).
"Now" ends at Tuesday 3 November 2026 09:00.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from catalogue.models import Service, SupportGroup
from common import access as roles
from incidents import services
from incidents.models import Status, Ticket
from sites.models import Site
from tests.factories import (
    ServiceCategoryFactory,
    ServiceFactory,
    SupportGroupFactory,
    TicketFactory,
    UserFactory,
)

SAST = ZoneInfo("Africa/Johannesburg")
OCTOBER = date(2026, 10, 1)
SEPTEMBER = date(2026, 9, 1)

# --- the answers, worked out by hand -------------------------------------------------------------------
OCTOBER_HEADLINE = {
    "logged": 8,  # T1-T8
    "resolved": 6,  # S2, T1, T2, T3, T4, T6 (T7 was withdrawn)
    "closed": 2,  # T6, T7
    "backlog": 2,  # T5, T8
    "overdue": 1,  # T5
    "response_compliance": 66.7,  # 4 of 6: S2, T1, T4, T6 met; T2, T3 breached
    "resolution_compliance": 83.3,  # 5 of 6: T2 breached
    "mean_resolution_hours": 3.67,  # (12,600 + 7,200 + 18,000 + 16,200 + 18,000 + 7,200) / 6 = 13,200 s
    "median_resolution_hours": 4.0,  # (12,600 + 16,200) / 2 = 14,400 s
    "mttr_hours": 3.4,  # incidents only (not T4): 61,200 / 5 = 12,240 s
    "first_contact_rate": 16.7,  # T1: 1 of 6
    "reopen_rate": 16.7,  # T4: 1 of 6
    "handovers_per_ticket": 0.17,  # T2: 1 handover over 6 resolved
    "satisfaction_mean": 3.67,  # (5 + 2 + 4) / 3
    "satisfaction_response_rate": 50.0,  # 3 of 6 rated
    "satisfaction_share_4_5": 66.7,  # 2 of 3
    "cost_per_ticket": None,  # no cost per hour set
}
OCTOBER_DETAILS = {
    "withdrawn": 1,
    "major_incidents": 1,
    "response_met": 4,
    "response_measured": 6,
    "resolution_met": 5,
    "resolution_measured": 6,
    "resolution_times_measured": 6,
    "incidents_measured": 5,
    "first_contact": 1,
    "reopened": 1,
    "handovers": 1,
    "rated": 3,
    "rated_4_5": 2,
}
SEPTEMBER_HEADLINE = {
    "logged": 2,
    "resolved": 1,
    "closed": 0,
    "backlog": 1,  # S2
    "overdue": 0,
    "response_compliance": 100.0,
    "resolution_compliance": 100.0,
    "mean_resolution_hours": 2.0,
    "median_resolution_hours": 2.0,
    "mttr_hours": 2.0,
    "first_contact_rate": 100.0,
    "reopen_rate": 0.0,
    "handovers_per_ticket": 0.0,
    "satisfaction_mean": None,
    "satisfaction_response_rate": 0.0,
    "satisfaction_share_4_5": None,
    "cost_per_ticket": None,
}
# October, by dimension: (logged, resolved, open at the end)
OCTOBER_BY_TOWN = {"Dutywa": (3, 2, 1), "Willowvale": (2, 2, 0), "Elliotdale": (3, 2, 1)}
OCTOBER_BY_SITE = {"Dutywa Main Building": (3, 2, 1), "Willowvale": (2, 2, 0), "Elliotdale": (3, 2, 1)}
OCTOBER_BY_PRIORITY = {1: (1, 1, 0), 3: (6, 5, 1), 5: (1, 0, 1)}
OCTOBER_BY_CHANNEL = {"Phone": (1, 1, 0), "Web": (7, 5, 2)}
OCTOBER_BY_KIND = {"Incident": (7, 5, 2), "Service request": (1, 1, 0)}
OCTOBER_BY_SERVICE = {"Printing": (5, 3, 2), "Network": (2, 2, 0), "Accounts": (1, 1, 0)}
OCTOBER_BY_CATEGORY = {"End-user computing": (7, 5, 2), "Access": (1, 1, 0)}
# SLA per priority / site / group: (response met, response measured, resolution met, resolution measured)
OCTOBER_SLA_BY_PRIORITY = {1: (0, 1, 0, 1), 3: (4, 5, 5, 5)}
OCTOBER_SLA_BY_SITE = {
    "Dutywa Main Building": (2, 2, 2, 2),
    "Willowvale": (2, 2, 2, 2),
    "Elliotdale": (0, 2, 1, 2),
}
OCTOBER_SLA_BY_GROUP = {"Desktop and printing": (4, 6, 5, 6)}
# Per technician: (resolved, open at the end, first contact, resolution met, resolution measured)
OCTOBER_TECHNICIANS = {"Tech One": (4, 0, 1, 4, 4), "Tech Two": (1, 1, 0, 0, 1)}
TREND_LOGGED = [0, 0, 0, 0, 2, 8]  # May to October
TREND_RESOLVED = [0, 0, 0, 0, 1, 6]
TREND_BACKLOG = [0, 0, 0, 0, 1, 2]
BREACHED_ANNEX = ["T2", "T3", "T5"]  # response (T2, T3), resolution (T2), overdue (T5)
OCTOBER_WORKING_HOURS = 22 * 8.5  # 22 weekdays


@dataclass
class Scenario:
    staff: object
    tech1: object
    tech2: object
    group: SupportGroup
    printing: Service
    network: Service
    accounts: Service
    tickets: dict[str, Ticket] = field(default_factory=dict)

    def pk(self, name: str) -> int:
        return self.tickets[name].pk

    def names(self, pks) -> list[str]:
        by_pk = {ticket.pk: name for name, ticket in self.tickets.items()}
        return [by_pk[pk] for pk in pks]


def build_scenario(frozen) -> Scenario:
    staff = UserFactory(username="scenario-staff", role=roles.STAFF)
    tech1 = UserFactory(username="tech1", first_name="Tech", last_name="One", role=roles.TECHNICIAN)
    tech2 = UserFactory(username="tech2", first_name="Tech", last_name="Two", role=roles.TECHNICIAN)
    group = SupportGroupFactory(name="Desktop and printing")
    group.members.add(tech1, tech2)
    end_user = ServiceCategoryFactory(name="End-user computing")
    access = ServiceCategoryFactory(name="Access")
    printing = ServiceFactory(name="Printing", category=end_user, support_group=group)
    network = ServiceFactory(name="Network", category=end_user, support_group=group)
    accounts = ServiceFactory(
        name="Accounts", category=access, support_group=group, offers_incidents=False, offers_requests=True
    )
    dutywa = Site.objects.get(name="Dutywa Main Building")
    willowvale = Site.objects.get(name="Willowvale")
    elliotdale = Site.objects.get(name="Elliotdale")
    s = Scenario(staff, tech1, tech2, group, printing, network, accounts)

    def log(name, when, site, service=printing, impact="medium", urgency="medium", **kwargs):
        frozen(*when)
        s.tickets[name] = TicketFactory(
            requester=staff, service=service, site=site, impact=impact, urgency=urgency, **kwargs
        )
        return s.tickets[name]

    def move(name, when, to, by, **kwargs):
        frozen(*when)
        kwargs.setdefault("resolution_note", "Done." if to == Status.RESOLVED else "")
        if to == Status.RESOLVED:
            kwargs.setdefault("resolution_code", "fixed")
        s.tickets[name] = services.ticket_change_status(ticket=_fresh(s, name), to=to, by=by, **kwargs)

    def take(name, when, by, assignee=None):
        frozen(*when)
        s.tickets[name] = services.ticket_assign(ticket=_fresh(s, name), by=by, assignee=assignee or by)

    def rate(name, when, score):
        frozen(*when)
        services.ticket_rate(ticket=_fresh(s, name), by=staff, score=score)

    # September
    log("S1", (2026, 9, 15, 9, 0), dutywa)
    take("S1", (2026, 9, 15, 9, 5), tech1)
    move("S1", (2026, 9, 15, 11, 0), Status.RESOLVED, tech1, first_contact=True)
    log("S2", (2026, 9, 30, 15, 0), willowvale)
    take("S2", (2026, 9, 30, 15, 10), tech1)
    move("S2", (2026, 10, 1, 10, 0), Status.RESOLVED, tech1)

    # October
    log("T1", (2026, 10, 1, 9, 0), dutywa, channel="phone", logged_by=tech1)
    move("T1", (2026, 10, 1, 9, 30), Status.IN_PROGRESS, tech1)
    move("T1", (2026, 10, 1, 11, 0), Status.RESOLVED, tech1, first_contact=True)
    rate("T1", (2026, 10, 1, 11, 30), 5)

    log("T2", (2026, 10, 2, 8, 0), elliotdale, service=network, impact="high", urgency="high")
    take("T2", (2026, 10, 2, 8, 10), tech1)
    take("T2", (2026, 10, 2, 8, 20), tech1, assignee=tech2)
    log("T3", (2026, 10, 2, 8, 30), elliotdale, service=network)
    frozen(2026, 10, 2, 8, 45)
    services.major_incident_link(parent=_fresh(s, "T2"), children=[_fresh(s, "T3")], by=tech1)
    move("T2", (2026, 10, 2, 9, 0), Status.IN_PROGRESS, tech2)
    move("T2", (2026, 10, 2, 13, 0), Status.RESOLVED, tech2)
    rate("T2", (2026, 10, 2, 14, 0), 2)

    log("T4", (2026, 10, 5, 9, 0), willowvale, service=accounts, kind="request")
    take("T4", (2026, 10, 5, 9, 30), tech1)
    move("T4", (2026, 10, 5, 10, 0), Status.PENDING, tech1, pending_reason="user")
    frozen(2026, 10, 6, 9, 0)
    services.ticket_comment(ticket=_fresh(s, "T4"), by=staff, body="Here is the form you asked for.")
    move("T4", (2026, 10, 6, 10, 0), Status.RESOLVED, tech1)
    move("T4", (2026, 10, 7, 9, 0), Status.REOPENED, staff)
    move("T4", (2026, 10, 7, 12, 0), Status.RESOLVED, tech1)
    rate("T4", (2026, 10, 7, 12, 30), 4)

    log("T5", (2026, 10, 12, 9, 0), dutywa, impact="low", urgency="low")
    take("T5", (2026, 10, 12, 9, 30), tech1)
    take("T5", (2026, 10, 12, 10, 0), tech1, assignee=tech2)

    log("T6", (2026, 10, 20, 10, 0), dutywa)
    move("T6", (2026, 10, 20, 10, 30), Status.IN_PROGRESS, tech1)
    move("T6", (2026, 10, 20, 12, 0), Status.RESOLVED, tech1)
    move("T6", (2026, 10, 21, 9, 0), Status.CLOSED, staff)

    log("T7", (2026, 10, 28, 9, 0), willowvale)
    move("T7", (2026, 10, 28, 10, 0), Status.CLOSED, staff, note="Found the fix myself.")

    log("T8", (2026, 10, 30, 15, 0), elliotdale)

    frozen(2026, 11, 3, 9, 0)
    for name in s.tickets:
        s.tickets[name] = _fresh(s, name)
    return s


def _fresh(s: Scenario, name: str) -> Ticket:
    return Ticket.objects.get(pk=s.tickets[name].pk)
