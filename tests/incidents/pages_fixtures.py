"""Fixtures shared by the ticket page tests (imported with `from tests.incidents.pages_fixtures import *`).

Kept out of a conftest.py so the page tests and the service tests can grow their fixtures independently.
"""

import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalogue.models import TicketKind
from common import access as roles
from incidents import services
from incidents.models import ResolutionCode, Status
from sites.models import Site
from tests.factories import ServiceFactory, SupportGroupFactory, TicketFactory, UserFactory

# A real 1x1 PNG: the upload checks look at the content, not only the name.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<details open ontoggle=alert(1)>",
]


def png(name="screen.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def dutywa(db):
    return Site.objects.get(name="Dutywa Main Building")


@pytest.fixture
def group(db):
    return SupportGroupFactory(name="Desktop test group")


@pytest.fixture
def service(group):
    return ServiceFactory(name="Printing (test)", support_group=group, keywords="printer, toner")


@pytest.fixture
def technician(technician_user, group):
    group.members.add(technician_user)
    return technician_user


@pytest.fixture
def other_staff(db):
    return UserFactory(username="ayanda", role=roles.STAFF)


@pytest.fixture
def ticket(staff_user, service, dutywa):
    return TicketFactory(requester=staff_user, service=service, site=dutywa, summary="Printer jams on page 2")


def resolve(ticket, by, note="Cleared the paper path and replaced the roller."):
    return services.ticket_change_status(
        ticket=ticket, to=Status.RESOLVED, by=by, resolution_code=ResolutionCode.FIXED, resolution_note=note
    )


def fresh(ticket):
    return type(ticket).objects.get(pk=ticket.pk)


__all__ = [
    "PNG",
    "XSS",
    "TicketKind",
    "_media_in_tmp",
    "dutywa",
    "fresh",
    "group",
    "other_staff",
    "png",
    "resolve",
    "service",
    "technician",
    "ticket",
]
