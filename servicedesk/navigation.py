"""Where each role belongs: its home page and the places its navigation shows.

Who may open a place is the access table's (common/access.py): a place is shown to a role exactly when
the table lets that role open its page, less the roles named in `not_for` (a shorter menu for them; the
page itself stays open to them). An account without a role yet gets no menu: the page that says so is
all it needs.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from common import access


@dataclass(frozen=True)
class Place:
    label: str
    url_name: str
    not_for: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        return reverse(self.url_name)


PLACES = (
    Place("My tickets", "my_tickets"),
    Place("Work queue", "work_queue"),
    # Staff report their own faults; the service desk logs a caller's on their behalf.
    Place("Log a ticket", "ticket_new"),
    # Self-help before a ticket: every role; the desk writes and reviews articles from there.
    Place("Help", "knowledge:help"),
    Place("Problems", "problems:problem_list"),
    Place("Dashboard", "dashboard"),
    Place("Changes", "changes:change_list"),
    # Staff see the approved changes at their site on the change calendar.
    Place(
        "Change calendar",
        "changes:calendar",
        not_for=(access.TECHNICIAN, access.MANAGER, access.ADMIN, access.CHANGE_ADVISOR),
    ),
    Place("Services", "catalogue:catalogue"),
    Place("Reports", "reports:runs"),
    Place("Sites", "sites:site_list"),
    Place("Outages", "outages:outage_list"),
    # Staff reach an asset from its label or its site's page; the register and the API are the desk's tools.
    Place("Assets", "sites:asset_list", not_for=(access.STAFF,)),
    Place("API", "api_docs", not_for=(access.STAFF,)),
    Place("Administration", "admin:index"),
)

HOME_URL_NAMES: dict[str | None, str] = {
    access.STAFF: "my_tickets",
    access.CHANGE_ADVISOR: "changes:change_list",
    access.TECHNICIAN: "work_queue",
    access.MANAGER: "dashboard",
    access.ADMIN: "admin:index",
}


def places_for(user) -> list[Place]:
    role = access.role_of(user)
    if role is None:
        return []
    return [place for place in PLACES if role not in place.not_for and access.may_open(user, place.url_name)]


def home_url_for(user) -> str:
    """The page a user lands on after signing in; a user in no role sees a page that says so."""
    role = access.role_of(user)
    return reverse(HOME_URL_NAMES.get(role, "no_role"))
