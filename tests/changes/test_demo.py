"""The demo month of changes is lived through the services and reads like Mbashe's."""

import datetime
from collections import Counter

import pytest
from django.utils import timezone

from changes.models import ChangeStatus
from servicedesk import demo, demo_changes

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 11, 24, 9, 0, tzinfo=timezone.get_default_timezone())


def test_the_demo_month_of_changes(settings):
    settings.DEBUG = True
    demo.demo_data_load()
    assert demo_changes.demo_changes_load(now=NOW) == 10
    from changes.models import Change

    statuses = Counter(Change.objects.values_list("status", flat=True))
    assert statuses[ChangeStatus.CLOSED] == 6
    assert {ChangeStatus.REJECTED, ChangeStatus.SCHEDULED, ChangeStatus.ASSESSED, ChangeStatus.DRAFT} <= set(
        statuses
    )
    failed = Change.objects.get(outcome="failed")
    assert "Willowvale" in failed.summary and failed.review
    firewall = Change.objects.get(summary__startswith="Upgrade the firewall")
    assert firewall.approvals.count() == 2
    patch = Change.objects.get(summary__startswith="Patch the financial")
    assert patch.in_critical_period and patch.risk == "high"
    assert all("vendor's only window" in a.justification for a in patch.approvals.all())
    emergency = Change.objects.get(type="emergency")
    assert emergency.approvals.get().at > emergency.implemented_at
    # every step is in the history, at the instant it was taken
    assert all(e.at <= NOW for e in failed.events.all())
    assert demo_changes.demo_changes_load(now=NOW) == 10  # a second run adds nothing
