"""Where each role belongs: its home page and the places its navigation shows."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from . import roles


@dataclass(frozen=True)
class Place:
    label: str
    url_name: str
    roles: tuple[str, ...]

    @property
    def url(self) -> str:
        return reverse(self.url_name)


EVERYONE = roles.ROLES
PLACES = (
    Place("My tickets", "my_tickets", (roles.STAFF,)),
    Place("Work queue", "work_queue", (roles.TECHNICIAN,)),
    # Staff report their own faults; the service desk logs a caller's on their behalf.
    Place("Log a ticket", "ticket_new", EVERYONE),
    Place("Dashboard", "dashboard", (roles.MANAGER, roles.ADMIN)),
    Place("Services", "catalogue:catalogue", EVERYONE),
    Place("Reports", "reports:runs", (roles.MANAGER, roles.ADMIN)),
    Place("Sites", "sites:site_list", EVERYONE),
    Place("Assets", "sites:asset_list", (roles.TECHNICIAN, roles.MANAGER, roles.ADMIN)),
    Place("API", "api_docs", (roles.TECHNICIAN, roles.MANAGER, roles.ADMIN)),
    Place("Administration", "admin:index", (roles.ADMIN,)),
)

HOME_URL_NAMES = {
    roles.STAFF: "my_tickets",
    roles.TECHNICIAN: "work_queue",
    roles.MANAGER: "dashboard",
    roles.ADMIN: "admin:index",
}


def places_for(user) -> list[Place]:
    role = roles.role_of(user)
    return [place for place in PLACES if role in place.roles]


def home_url_for(user) -> str:
    """The page a user lands on after signing in; a user in no role sees a page that says so."""
    role = roles.role_of(user)
    return reverse(HOME_URL_NAMES.get(role, "no_role"))
