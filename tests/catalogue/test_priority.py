"""The priority rule: every matrix cell, the critical-service raise, the critical-period raise, the reason."""

from datetime import date

import pytest

from catalogue.models import Criticality, Impact, PriorityMatrixCell, Urgency
from catalogue.priority import (
    DEFAULT_MATRIX,
    HOW_BAD,
    HowBad,
    impact_and_urgency,
    priority_for,
    request_priority_for,
)
from tests.factories import CriticalPeriodFactory, ServiceFactory

pytestmark = pytest.mark.django_db

IN_PAYROLL = date(2026, 11, 27)  # among the last three working days of November 2026
OUTSIDE = date(2026, 11, 10)


@pytest.mark.parametrize(("impact", "urgency"), list(DEFAULT_MATRIX))
def test_every_cell_of_the_seeded_matrix(impact, urgency):
    decision = priority_for(impact=impact, urgency=urgency)

    assert decision.priority == DEFAULT_MATRIX[(impact, urgency)]
    assert decision.matrix_priority == decision.priority
    assert decision.reason == f"P{decision.priority}: {impact} impact x {urgency} urgency"


def test_the_seeded_matrix_is_itil_five_levels():
    cells = {(c.impact, c.urgency): c.priority for c in PriorityMatrixCell.objects.all()}
    assert cells == {(str(i), str(u)): p for (i, u), p in DEFAULT_MATRIX.items()}


def test_matrix_is_data_an_admin_change_takes_effect():
    PriorityMatrixCell.objects.filter(impact=Impact.LOW, urgency=Urgency.HIGH).update(priority=2)
    assert priority_for(impact=Impact.LOW, urgency=Urgency.HIGH).priority == 2


def test_a_critical_period_raises_one_level_with_the_reason():
    service = ServiceFactory(criticality=Criticality.HIGH)
    CriticalPeriodFactory(service=service, name="payroll period", working_days=3)

    inside = priority_for(impact=Impact.HIGH, urgency=Urgency.LOW, service=service, when=IN_PAYROLL)
    outside = priority_for(impact=Impact.HIGH, urgency=Urgency.LOW, service=service, when=OUTSIDE)

    assert inside.priority == 2
    assert inside.reason == "P2: high impact x low urgency, raised from P3: payroll period"
    assert outside.priority == 3


def test_a_critical_service_raises_one_level():
    service = ServiceFactory(name="Test ledger", criticality=Criticality.CRITICAL)

    decision = priority_for(impact=Impact.MEDIUM, urgency=Urgency.MEDIUM, service=service, when=OUTSIDE)

    assert decision.priority == 2
    assert decision.reason == (
        "P2: medium impact x medium urgency, raised from P3: Test ledger is a critical service"
    )


def test_both_raises_stack_but_never_above_p1():
    service = ServiceFactory(name="Payroll", criticality=Criticality.CRITICAL)
    CriticalPeriodFactory(service=service, name="payroll period", working_days=3)

    low = priority_for(impact=Impact.LOW, urgency=Urgency.LOW, service=service, when=IN_PAYROLL)
    top = priority_for(impact=Impact.HIGH, urgency=Urgency.HIGH, service=service, when=IN_PAYROLL)

    assert low.priority == 3
    assert low.reason.endswith("raised from P4: payroll period")
    assert top.priority == 1
    assert top.reason == "P1: high impact x high urgency"


@pytest.mark.parametrize("criticality", [Criticality.LOW, Criticality.MEDIUM, Criticality.HIGH])
def test_other_criticalities_follow_the_matrix(criticality):
    service = ServiceFactory(criticality=criticality)
    assert (
        priority_for(impact=Impact.MEDIUM, urgency=Urgency.LOW, service=service, when=OUTSIDE).priority == 4
    )


def test_unknown_impact_is_refused():
    with pytest.raises(ValueError, match="impact"):
        priority_for(impact="enormous", urgency=Urgency.LOW)


def test_seeded_financial_system_in_its_month_end_period():
    from catalogue.models import Service

    finance = Service.objects.get(name="Payroll and HR system")
    decision = priority_for(impact=Impact.LOW, urgency=Urgency.MEDIUM, service=finance, when=IN_PAYROLL)
    # P4 from the matrix, P3 as a critical service, P2 in the payroll period.
    assert decision.priority == 2
    assert "payroll period" in decision.reason


def test_every_answer_to_how_bad_is_one_cell_of_the_matrix_from_p4_to_p1():
    priorities = [priority_for(impact=i, urgency=u).priority for i, u in (HOW_BAD[a] for a in HowBad)]

    assert priorities == [4, 3, 2, 1]  # smallest answer first, each one level worse
    assert impact_and_urgency("team") == ("medium", "high")
    with pytest.raises(ValueError, match="unknown answer"):
        impact_and_urgency("terrible")


def test_a_requests_default_priority_goes_through_the_matrix_and_the_raises():
    service = ServiceFactory(criticality=Criticality.CRITICAL, request_impact="low", request_urgency="medium")
    PriorityMatrixCell.objects.filter(impact=Impact.LOW, urgency=Urgency.MEDIUM).update(priority=3)

    decision = request_priority_for(service=service, when=OUTSIDE)

    assert (decision.matrix_priority, decision.priority) == (3, 2)
    assert decision.reason.endswith("(the service's default for requests)")
