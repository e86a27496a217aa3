import pytest

from sites.models import Site
from tests.factories import ServiceFactory, SupportGroupFactory, TicketFactory


@pytest.fixture
def group(db):
    return SupportGroupFactory(name="Desktop test group")


@pytest.fixture
def service(group):
    return ServiceFactory(name="Printing (test)", support_group=group)


@pytest.fixture
def willowvale(db):
    return Site.objects.exclude(name="Dutywa Main Building").order_by("table_order")[0]


@pytest.fixture
def technician(technician_user, group):
    group.members.add(technician_user)
    return technician_user


@pytest.fixture
def incidents(staff_user, service, willowvale):
    """make(n) -> n incidents on the service at one site."""

    def make(n, **kwargs):
        kwargs = {"requester": staff_user, "service": service, "site": willowvale, **kwargs}
        return [TicketFactory(**kwargs) for _ in range(n)]

    return make
