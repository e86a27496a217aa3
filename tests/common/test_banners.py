"""The page frame's one banner mechanism (common/banners.py): apps register providers, the frame shows one
list in one role="status" region, and nothing is asked of a provider unless a page shows the frame."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from changes.models import ChangeStatus
from common import banners
from common.banners import Banner, banners_for, register_banner_provider
from outages.models import OutageKind, OutageScope
from outages.services import outage_record
from tests.factories import ChangeFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_banner():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def extra_provider():
    calls = []

    def provider(user):
        calls.append(user)
        return [Banner("The Dutywa lift is out of order.", "warning")]

    register_banner_provider("test", provider)
    yield calls
    register_banner_provider("test", None)


@pytest.fixture
def at_willowvale():
    site = SiteFactory(name="Willowvale Satellite Office")
    return UserFactory(username="wv-staff", site=site), site


def test_outages_and_changes_register_into_the_one_registry():
    assert {"outages", "changes"} <= set(banners._providers)


def test_the_context_asks_no_provider_until_the_frame_reads_it(extra_provider, staff_user):
    request = RequestFactory().get("/")
    request.user = staff_user
    context = banners.banners(request)
    assert extra_provider == []
    assert [b.text for b in context["banners"]][-1] == "The Dutywa lift is out of order."
    assert extra_provider == [staff_user]


def test_nobody_signed_in_gets_no_banners(extra_provider):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert banners.banners(request) == {"banners": []}
    assert extra_provider == []


def test_an_unknown_level_is_refused(staff_user):
    register_banner_provider("bad", lambda user: [Banner("x", "shouting")])
    try:
        with pytest.raises(ValueError, match="shouting"):
            banners_for(staff_user)
    finally:
        register_banner_provider("bad", None)


def test_an_outage_and_a_change_show_in_one_status_region(client, at_willowvale):
    user, site = at_willowvale
    now = timezone.now()
    outage_record(
        scope=OutageScope.SITE,
        kind=OutageKind.UNPLANNED,
        site=site,
        started_at=now - timedelta(minutes=30),
        expected_end_at=now + timedelta(hours=2),
    )
    ChangeFactory(
        summary="Replacing the <b>Willowvale</b> switch",
        status=ChangeStatus.IN_PROGRESS,
        interrupts_service=True,
        sites=[site],
        planned_start=now - timedelta(hours=1),
        planned_end=now + timedelta(hours=1),
    )
    client.force_login(user)
    page = client.get(reverse("password_change")).content.decode()
    assert page.count('role="status"') == 1
    region = page[page.index('<ul class="notices" role="status">') :]
    region = region[: region.index("</ul>")]
    assert 'class="notice-warning"' in region and "you do not need to log a ticket" in region
    assert 'class="notice-info"' in region and "Planned ICT work at your site until" in region
    assert "Replacing the &lt;b&gt;Willowvale&lt;/b&gt; switch" in region  # escaped


def test_each_provider_costs_at_most_one_query(at_willowvale, django_assert_max_num_queries):
    user, _ = at_willowvale
    with django_assert_max_num_queries(2):  # outages (cached after) and changes
        banners_for(user)
    with django_assert_max_num_queries(1):  # the outages now come from the cache
        banners_for(user)


def test_a_person_without_a_site_costs_no_query(django_assert_num_queries):
    user = UserFactory(username="nosite", site=None)
    with django_assert_num_queries(0):
        assert banners_for(user) == []
