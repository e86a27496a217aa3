import datetime

import pytest
from django.utils import timezone

from common import access as roles
from tests.factories import UserFactory


@pytest.fixture
def advisor(db):
    """A director given the Change Advisory role: reads and approves changes."""
    return UserFactory(username="director", role=roles.CHANGE_ADVISOR)


def at(day: int, hour: int, month: int = 3, year: int = 2027) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=timezone.get_default_timezone())
