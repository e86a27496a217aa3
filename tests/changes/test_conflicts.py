"""Conflicts: a critical period of a service the change affects, another change on the same site or asset
at the same time; none where there is none. Flagged at submission and at approval (with a justification)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from changes import services
from changes.conflicts import PlannedChange, ServicePeriod, find_conflicts
from changes.models import ChangeEvent, ChangeStatus
from changes.selectors import change_conflicts
from tests.factories import AssetFactory, ChangeFactory, CriticalPeriodFactory, ServiceFactory, SiteFactory

from .conftest import at

S = ChangeStatus


def planned(pk, start, end, sites=(), assets=()):
    return PlannedChange(pk, f"CHG-{pk:06d}", start, end, frozenset(sites), frozenset(assets))


MONTH_END = ServicePeriod("Financial system", "month end", lambda day: day.day >= 25)


def test_a_change_inside_a_critical_period_is_flagged():
    [conflict] = find_conflicts(planned(1, at(26, 17), at(26, 19)), periods=[MONTH_END], others=[])
    assert conflict.kind == "critical_period"
    assert conflict.reason == "26 March 2027 is in Financial system's critical period (month end)."


def test_a_change_running_into_a_critical_period_overnight_is_flagged():
    assert find_conflicts(planned(1, at(24, 20), at(25, 2)), periods=[MONTH_END], others=[])


def test_overlapping_changes_on_the_same_site_or_asset_are_flagged():
    mine = planned(1, at(9, 17), at(9, 19), sites={5}, assets={7})
    same_site = planned(2, at(9, 18), at(9, 20), sites={5})
    same_asset = planned(3, at(9, 16), at(9, 18), assets={7})
    found = find_conflicts(mine, periods=[], others=[same_site, same_asset])
    assert [(c.kind, c.other_id) for c in found] == [("change", 3), ("change", 2)]
    assert "same asset" in found[0].reason and "same site" in found[1].reason


def test_no_conflict_where_there_is_none():
    mine = planned(1, at(9, 17), at(9, 19), sites={5}, assets={7})
    others = [
        planned(2, at(9, 19), at(9, 21), sites={5}),  # starts as mine ends
        planned(3, at(9, 17), at(9, 19), sites={6}, assets={8}),  # elsewhere
        planned(1, at(9, 17), at(9, 19), sites={5}),  # itself
    ]
    assert find_conflicts(mine, periods=[MONTH_END], others=others) == []


@pytest.mark.django_db
def test_the_selector_finds_both_kinds_from_the_database(technician_user):
    service = ServiceFactory(name="Financial system (Munsoft)")
    CriticalPeriodFactory(
        service=service, rule="days_of_month", working_days=None, from_day=25, to_day=31, name="month end"
    )
    site, asset = SiteFactory(), AssetFactory()
    other = ChangeFactory(status=S.SCHEDULED, planned_start=at(26, 18), planned_end=at(26, 20), sites=[site])
    ChangeFactory(status=S.CANCELLED, planned_start=at(26, 18), planned_end=at(26, 20), sites=[site])
    ChangeFactory(
        status=S.SCHEDULED, planned_start=at(26, 18), planned_end=at(26, 20), assets=[AssetFactory()]
    )
    change = ChangeFactory(
        planned_start=at(26, 17), planned_end=at(26, 19), services=[service], sites=[site], assets=[asset]
    )
    found = change_conflicts(change)
    assert [(c.kind, c.other_id) for c in found] == [("critical_period", None), ("change", other.pk)]
    quiet = ChangeFactory(
        planned_start=at(10, 17), planned_end=at(10, 19), services=[service], sites=[SiteFactory()]
    )
    assert change_conflicts(quiet) == []


@pytest.mark.django_db
def test_conflicts_are_recorded_at_submission_and_approval_needs_a_justification(
    technician_user, manager_user
):
    site = SiteFactory()
    ChangeFactory(status=S.SCHEDULED, planned_start=at(9, 18), planned_end=at(9, 20), sites=[site])
    change = ChangeFactory(
        requested_by=technician_user, planned_start=at(9, 17), planned_end=at(9, 19), sites=[site]
    )
    services.change_transition(change=change, by=technician_user, to=S.SUBMITTED)
    assert "same site" in change.events.get(kind=ChangeEvent.Kind.CONFLICTS).note
    services.change_transition(change=change, by=manager_user, to=S.ASSESSED)
    with pytest.raises(ValidationError, match="say why"):
        services.change_decide(change=change, by=manager_user, decision="approved")
    services.change_decide(
        change=change,
        by=manager_user,
        decision="approved",
        justification="The other change is a 10-minute patch.",
    )
    approval = change.approvals.get()
    assert "same site" in approval.conflicts
    assert approval.justification == "The other change is a 10-minute patch."
    change.refresh_from_db()
    assert change.status == S.APPROVED


def test_local_days_counts_the_johannesburg_dates():
    from changes.conflicts import local_days

    assert local_days(at(9, 22), at(10, 0)) == [datetime.date(2027, 3, 9)]
    assert local_days(at(9, 22), at(10, 1)) == [datetime.date(2027, 3, 9), datetime.date(2027, 3, 10)]
