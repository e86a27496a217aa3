"""Demo data for a development machine: the nine sites (loaded by migration) and one user per role."""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from catalogue.models import Service, SupportGroup
from common import access as roles
from sites.demo import demo_assets_load
from sites.models import Site

from .demo_articles import demo_articles_load

DEFAULT_DEMO_PASSWORD = "mbashe-demo"  # noqa: S105  (printed by `make run`; refused unless DEVELOPMENT is on)


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    first_name: str
    last_name: str
    site: str
    department: str
    job_title: str


DEMO_USERS = (
    DemoUser("staff", roles.STAFF, "Nomsa", "Dlamini", "Dutywa Main Building", "Finance", "Creditors clerk"),
    DemoUser(
        "technician", roles.TECHNICIAN, "Sipho", "Mahlangu", "Dutywa Main Building", "ICT", "ICT technician"
    ),
    DemoUser("manager", roles.MANAGER, "Thandeka", "Nako", "Dutywa Main Building", "ICT", "ICT manager"),
    DemoUser("admin", roles.ADMIN, "Lwazi", "Mpondo", "Dutywa Main Building", "ICT", "Systems administrator"),
    # A director on the change advisory board: reads and approves changes (changes/lifecycle.py).
    DemoUser(
        "director",
        roles.CHANGE_ADVISOR,
        "Zola",
        "Ntshinga",
        "Dutywa Main Building",
        "Corporate Services",
        "Director: Corporate Services",
    ),
)


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD


@transaction.atomic
def demo_data_load() -> list[tuple[DemoUser, bool]]:
    """Create the demo users that are missing; never touches a user that exists (their password stays).

    Returns each demo user with whether it was created now. Refuses to run unless DEVELOPMENT (or DEBUG) is
    on, because a known password on a live server is an open door.
    """
    if not (settings.DEVELOPMENT or settings.DEBUG):
        raise ImproperlyConfigured(
            "Demo users are for development machines only: DEVELOPMENT is off (and DEBUG is off)."
        )
    if Site.objects.count() < 9:
        raise ImproperlyConfigured("The nine sites are missing: run `python manage.py migrate` first.")
    User = get_user_model()
    results = []
    for demo in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=demo.username,
            defaults={
                "first_name": demo.first_name,
                "last_name": demo.last_name,
                "email": f"{demo.username}@demo.mbashe.invalid",
                "site": Site.objects.get(name=demo.site),
                "department": demo.department,
                "job_title": demo.job_title,
                # Django admin needs is_staff; only the Admin role signs in there.
                "is_staff": demo.role == roles.ADMIN,
            },
        )
        if created:
            user.set_password(demo_password())
            user.save(update_fields=["password"])
            user.groups.add(Group.objects.get(name=demo.role))
        results.append((demo, created))
    _demo_catalogue_people()
    demo_assets_load()
    demo_articles_load()
    return results


def _demo_catalogue_people() -> None:
    """Name the demo manager as owner of services that have none, and put the technician in every group."""
    User = get_user_model()
    manager = User.objects.get(username="manager")
    technician = User.objects.get(username="technician")
    Service.objects.filter(owner__isnull=True).update(owner=manager)
    for group in SupportGroup.objects.all():
        group.members.add(technician)
    SupportGroup.objects.filter(lead__isnull=True).update(lead=technician)
