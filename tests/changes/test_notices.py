"""Staff at the affected sites are told of an approved change that will interrupt a service: a mail N
working days before (once per person and start), and a banner on the portal while it runs."""

import pytest
from django.urls import reverse

from changes.models import ChangeEvent, ChangeStatus
from changes.notices import interruption_notices_send
from common.models import Notification
from tests.factories import ChangeFactory, SiteFactory, UserFactory

from .conftest import at

pytestmark = pytest.mark.django_db
S = ChangeStatus


@pytest.fixture
def willowvale(db):
    site = SiteFactory(name="Willowvale Satellite Office")
    people = [UserFactory(username=f"wv{n}", site=site) for n in range(3)]
    UserFactory(username="elsewhere", site=SiteFactory())
    return site, people


def test_staff_at_the_site_are_mailed_n_working_days_before_once(willowvale, settings):
    settings.CHANGE_NOTICE_WORKING_DAYS = 2
    site, people = willowvale
    # Tuesday 9 March 2027, 17:00; two working days before is Friday 5 March (the weekend does not count).
    change = ChangeFactory(
        status=S.SCHEDULED,
        interrupts_service=True,
        sites=[site],
        planned_start=at(9, 17),
        planned_end=at(9, 19),
    )
    ChangeFactory(
        status=S.ASSESSED,
        interrupts_service=True,
        sites=[site],
        planned_start=at(9, 17),
        planned_end=at(9, 19),
    )
    ChangeFactory(
        status=S.SCHEDULED,
        interrupts_service=False,
        sites=[site],
        planned_start=at(9, 17),
        planned_end=at(9, 19),
    )
    assert interruption_notices_send(now=at(4, 10)) == 0  # Thursday: three working days before
    assert interruption_notices_send(now=at(5, 10)) == 3
    assert interruption_notices_send(now=at(8, 10)) == 0  # told once
    mails = Notification.objects.filter(key__startswith=f"change-notice:{change.pk}:")
    assert sorted(m.to_address for m in mails) == sorted(p.email for p in people)
    assert "Willowvale Satellite Office" in mails[0].body_text and change.reference in mails[0].body_text
    assert change.events.filter(kind=ChangeEvent.Kind.NOTICE).count() == 1


def test_a_change_moved_to_another_day_is_told_again(willowvale):
    site, _ = willowvale
    change = ChangeFactory(
        status=S.SCHEDULED,
        interrupts_service=True,
        sites=[site],
        planned_start=at(9, 17),
        planned_end=at(9, 19),
    )
    assert interruption_notices_send(now=at(8, 10)) == 3
    change.planned_start, change.planned_end = at(10, 17), at(10, 19)
    change.save()
    assert interruption_notices_send(now=at(8, 11)) == 3


def test_the_portal_shows_a_banner_during_the_interruption(willowvale, client, frozen):
    site, people = willowvale
    ChangeFactory(
        summary="Replacing the Willowvale switch",
        status=S.IN_PROGRESS,
        interrupts_service=True,
        sites=[site],
        planned_start=at(9, 17),
        planned_end=at(9, 19),
    )
    frozen(2027, 3, 9, 18, 0)
    client.force_login(people[0])
    assert "Replacing the Willowvale switch" in client.get(reverse("password_change")).content.decode()
    frozen(2027, 3, 9, 20, 0)
    assert "Replacing the Willowvale switch" not in client.get(reverse("password_change")).content.decode()
