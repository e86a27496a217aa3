"""The change lifecycle: the transition table and who may take each step, approvals (two for a high-risk
normal change, none for a standard one), edits that send an approved change back to assessment, history."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalogue.models import Lifecycle
from changes import lifecycle, services
from changes.models import ChangeEvent, ChangeStatus, ChangeTemplate, ChangeType, Outcome
from tests.factories import ServiceFactory, SiteFactory, TicketFactory

from .conftest import at

pytestmark = pytest.mark.django_db

S = ChangeStatus


def normal_change(by, **fields):
    values = {
        "summary": "Replace Willowvale's core switch",
        "reason": "It drops links under load.",
        "implementation_plan": "Swap it, restore the configuration.",
        "backout_plan": "Put the old one back.",
        "test_plan": "Ping every access switch.",
        "planned_start": at(9, 17),
        "planned_end": at(9, 19),
    }
    return services.change_create(by=by, **{**values, **fields})


def approve_path(change, tech, manager, **decide):
    services.change_transition(change=change, by=tech, to=S.SUBMITTED)
    services.change_transition(change=change, by=manager, to=S.ASSESSED)
    return services.change_decide(change=change, by=manager, decision="approved", **decide)


def test_reference_reads_chg_and_six_digits(technician_user):
    change = normal_change(technician_user)
    assert change.reference == f"CHG-{change.pk:06d}"


def test_the_table_says_who_takes_each_step():
    assert lifecycle.transition(S.DRAFT, S.SUBMITTED, ChangeType.NORMAL).by == {lifecycle.WORK}
    assert lifecycle.transition(S.SUBMITTED, S.ASSESSED, ChangeType.NORMAL).by == {lifecycle.APPROVE}
    assert lifecycle.transition(S.ASSESSED, S.APPROVED, ChangeType.NORMAL).by == {lifecycle.APPROVE}
    assert lifecycle.transition(S.IMPLEMENTED, S.REVIEWED, ChangeType.NORMAL).by == {lifecycle.APPROVE}
    # Only a standard change skips approval; only an emergency change starts before it.
    assert lifecycle.transition(S.DRAFT, S.SCHEDULED, ChangeType.NORMAL) is None
    assert lifecycle.transition(S.DRAFT, S.SCHEDULED, ChangeType.STANDARD) is not None
    assert lifecycle.transition(S.SUBMITTED, S.IN_PROGRESS, ChangeType.NORMAL) is None
    assert lifecycle.transition(S.SUBMITTED, S.IN_PROGRESS, ChangeType.EMERGENCY) is not None
    assert lifecycle.transition(S.CLOSED, S.CANCELLED, ChangeType.NORMAL) is None


def test_roles_act_as_the_table_parties(staff_user, technician_user, manager_user, admin_role_user, advisor):
    assert lifecycle.parties_of(staff_user) == set()
    assert lifecycle.parties_of(technician_user) == {lifecycle.WORK}
    assert lifecycle.parties_of(admin_role_user) == {lifecycle.WORK}
    assert lifecycle.parties_of(manager_user) == {lifecycle.WORK, lifecycle.APPROVE}
    assert lifecycle.parties_of(advisor) == {lifecycle.APPROVE}


def test_staff_and_advisors_may_not_raise_a_change(staff_user, advisor):
    for person in (staff_user, advisor):
        with pytest.raises(PermissionDenied):
            normal_change(person)


def test_a_technician_may_not_approve_nor_assess(technician_user):
    change = normal_change(technician_user)
    services.change_transition(change=change, by=technician_user, to=S.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.change_transition(change=change, by=technician_user, to=S.ASSESSED)
    with pytest.raises(PermissionDenied):
        services.change_decide(change=change, by=technician_user, decision="approved")


def test_submitting_needs_the_plans_and_dates(technician_user):
    change = normal_change(technician_user, backout_plan="", planned_start=None, planned_end=None)
    with pytest.raises(ValidationError) as refused:
        services.change_transition(change=change, by=technician_user, to=S.SUBMITTED)
    assert set(refused.value.message_dict) == {"backout_plan", "planned_start", "planned_end"}


def test_a_normal_change_walks_the_whole_lifecycle_with_a_history_row_per_step(technician_user, manager_user):
    change = normal_change(technician_user)
    approve_path(change, technician_user, manager_user)
    change.refresh_from_db()
    assert change.status == S.APPROVED
    for to in (S.SCHEDULED, S.IN_PROGRESS):
        services.change_transition(change=change, by=technician_user, to=to)
    services.change_transition(
        change=change, by=technician_user, to=S.IMPLEMENTED, outcome=Outcome.SUCCESSFUL
    )
    services.change_transition(change=change, by=manager_user, to=S.REVIEWED)
    services.change_transition(change=change, by=manager_user, to=S.CLOSED)
    steps = list(change.events.filter(kind=ChangeEvent.Kind.STATUS).values_list("old_value", "new_value"))
    assert steps == [
        (S.DRAFT, S.SUBMITTED),
        (S.SUBMITTED, S.ASSESSED),
        (S.ASSESSED, S.APPROVED),
        (S.APPROVED, S.SCHEDULED),
        (S.SCHEDULED, S.IN_PROGRESS),
        (S.IN_PROGRESS, S.IMPLEMENTED),
        (S.IMPLEMENTED, S.REVIEWED),
        (S.REVIEWED, S.CLOSED),
    ]
    with pytest.raises(TypeError):
        change.events.first().delete()


def test_a_step_the_table_lacks_is_refused(technician_user):
    change = normal_change(technician_user)
    with pytest.raises(ValidationError, match="cannot become in progress"):
        services.change_transition(change=change, by=technician_user, to=S.IN_PROGRESS)


def test_a_standard_change_from_a_template_needs_no_approval(technician_user):
    template = ChangeTemplate.objects.get(name="Add a network point")
    change = services.change_create(
        by=technician_user,
        type=ChangeType.STANDARD,
        template=template,
        planned_start=at(9, 9),
        planned_end=at(9, 11),
    )
    assert change.summary == "Add a network point" and change.backout_plan == template.backout_plan
    services.change_transition(change=change, by=technician_user, to=S.SCHEDULED)
    change.refresh_from_db()
    assert change.status == S.SCHEDULED and not change.approvals.exists()


def test_a_standard_change_needs_its_template(technician_user):
    with pytest.raises(ValidationError):
        services.change_create(by=technician_user, type=ChangeType.STANDARD, summary="x", reason="y")


def test_a_high_risk_normal_change_needs_two_approvals(technician_user, manager_user, advisor):
    change = normal_change(technician_user, likelihood="high", impact="high")
    assert change.risk == "high"
    approve_path(change, technician_user, manager_user)
    change.refresh_from_db()
    assert change.status == S.ASSESSED  # one approval of two
    with pytest.raises(ValidationError, match="already decided"):
        services.change_decide(change=change, by=manager_user, decision="approved")
    services.change_decide(change=change, by=advisor, decision="approved")
    change.refresh_from_db()
    assert change.status == S.APPROVED
    assert change.approvals.count() == 2


def test_a_low_risk_normal_change_needs_one(technician_user, manager_user):
    change = normal_change(technician_user, likelihood="low", impact="medium")
    approve_path(change, technician_user, manager_user)
    change.refresh_from_db()
    assert change.status == S.APPROVED


def test_a_rejection_needs_a_reason_and_rejects(technician_user, manager_user):
    change = normal_change(technician_user)
    services.change_transition(change=change, by=technician_user, to=S.SUBMITTED)
    services.change_transition(change=change, by=manager_user, to=S.ASSESSED)
    with pytest.raises(ValidationError):
        services.change_transition(change=change, by=manager_user, to=S.REJECTED)
    services.change_transition(change=change, by=manager_user, to=S.REJECTED, note="Not in month end.")
    change.refresh_from_db()
    assert change.status == S.REJECTED


def test_editing_an_approved_change_plan_sends_it_back_to_assessment(technician_user, manager_user):
    change = normal_change(technician_user)
    approve_path(change, technician_user, manager_user)
    change = services.change_update(
        change=change, by=technician_user, planned_start=at(10, 17), planned_end=at(10, 19)
    )
    assert change.status == S.ASSESSED
    assert not change.approvals.filter(current=True).exists()
    # ...and the manager may decide again.
    services.change_decide(change=change, by=manager_user, decision="approved")
    change.refresh_from_db()
    assert change.status == S.APPROVED


def test_editing_only_the_summary_keeps_the_approval(technician_user, manager_user):
    change = normal_change(technician_user)
    approve_path(change, technician_user, manager_user)
    change = services.change_update(
        change=change, by=technician_user, summary="Replace the Willowvale switch"
    )
    assert change.status == S.APPROVED


def test_an_outcome_other_than_clean_success_needs_a_review(technician_user, manager_user):
    change = normal_change(technician_user)
    approve_path(change, technician_user, manager_user)
    for to in (S.SCHEDULED, S.IN_PROGRESS):
        services.change_transition(change=change, by=technician_user, to=to)
    with pytest.raises(ValidationError, match="outcome"):
        services.change_transition(change=change, by=technician_user, to=S.IMPLEMENTED)
    with pytest.raises(ValidationError, match="post-implementation review"):
        services.change_transition(
            change=change, by=technician_user, to=S.IMPLEMENTED, outcome=Outcome.FAILED
        )
    services.change_transition(
        change=change,
        by=technician_user,
        to=S.IMPLEMENTED,
        outcome=Outcome.FAILED,
        review="The new switch's uplink module was faulty.",
    )
    change.refresh_from_db()
    assert change.outcome == Outcome.FAILED and change.implemented_at is not None


def test_an_emergency_change_starts_at_once_and_is_approved_after_the_fact(technician_user, manager_user):
    change = normal_change(technician_user, type=ChangeType.EMERGENCY)
    services.change_transition(change=change, by=technician_user, to=S.SUBMITTED)
    services.change_transition(change=change, by=technician_user, to=S.IN_PROGRESS)
    services.change_transition(
        change=change, by=technician_user, to=S.IMPLEMENTED, outcome=Outcome.SUCCESSFUL
    )
    services.change_transition(change=change, by=manager_user, to=S.REVIEWED)
    with pytest.raises(ValidationError, match="approved after the fact"):
        services.change_transition(change=change, by=manager_user, to=S.CLOSED)
    services.change_decide(change=change, by=manager_user, decision="approved")
    services.change_transition(change=change, by=manager_user, to=S.CLOSED)
    change.refresh_from_db()
    assert change.status == S.CLOSED


def test_an_incident_is_linked_as_caused_by_a_change_carried_out(technician_user, manager_user):
    change = normal_change(technician_user)
    ticket = TicketFactory()
    with pytest.raises(ValidationError):
        services.change_link_incident(change=change, ticket=ticket, by=technician_user)
    approve_path(change, technician_user, manager_user)
    for to in (S.SCHEDULED, S.IN_PROGRESS):
        services.change_transition(change=change, by=technician_user, to=to)
    services.change_link_incident(change=change, ticket=ticket, by=technician_user)
    assert list(ticket.caused_by_changes.all()) == [change]
    assert change.events.filter(kind="incident", new_value=ticket.reference).exists()


def test_a_service_goes_live_only_through_an_implemented_change_that_names_it(technician_user, manager_user):
    from catalogue.services import service_change_status

    service = ServiceFactory(status=Lifecycle.PIPELINE, name="Online rates statements")
    with pytest.raises(ValidationError, match="only through an implemented change"):
        service_change_status(service=service, status=Lifecycle.LIVE)
    change = normal_change(technician_user, services=[service], service_transition="live")
    approve_path(change, technician_user, manager_user)
    for to in (S.SCHEDULED, S.IN_PROGRESS):
        services.change_transition(change=change, by=technician_user, to=to)
    service.refresh_from_db()
    assert service.status == Lifecycle.PIPELINE  # not before the change is implemented
    services.change_transition(
        change=change, by=technician_user, to=S.IMPLEMENTED, outcome=Outcome.SUCCESSFUL
    )
    service.refresh_from_db()
    assert service.status == Lifecycle.LIVE


def test_a_failed_change_does_not_make_its_service_live(technician_user, manager_user):
    service = ServiceFactory(status=Lifecycle.PIPELINE)
    change = normal_change(
        technician_user, services=[service], service_transition="live", sites=[SiteFactory()]
    )
    approve_path(change, technician_user, manager_user)
    for to in (S.SCHEDULED, S.IN_PROGRESS):
        services.change_transition(change=change, by=technician_user, to=to)
    services.change_transition(
        change=change, by=technician_user, to=S.IMPLEMENTED, outcome=Outcome.BACKED_OUT, review="Rolled back."
    )
    service.refresh_from_db()
    assert service.status == Lifecycle.PIPELINE
