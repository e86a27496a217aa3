"""The one hook by which slas gives the catalogue page its targets (catalogue may not import slas)."""

import pytest

from catalogue import targets
from catalogue.models import Service
from slas.catalogue_targets import register, service_targets


def test_slas_registers_the_catalogue_targets_provider_at_start_up():
    # SlasConfig.ready calls slas.catalogue_targets.register(); without it the catalogue shows no targets.
    assert targets._provider is service_targets


@pytest.mark.django_db
def test_the_provider_answers_in_words_shared_by_the_services_of_one_agreement(monkeypatch):
    monkeypatch.setattr(targets, "_provider", None)
    register()
    critical = list(Service.objects.filter(name__in=["Payroll and HR system", "Site network link"]))

    found = targets.targets_for(service.pk for service in critical)

    assert {found[s.pk].agreement for s in critical} == {"Critical services"}
    first = found[critical[0].pk]
    assert first is found[critical[1].pk]
    assert first.targets[0] == targets.PriorityTarget(
        priority=1, response="15 minutes", resolution="2 business hours"
    )
    assert (
        first.targets[0].sentence
        == "a P1 gets a first response within 15 minutes and a fix within 2 business hours"
    )
    assert targets.targets_for([]) == {}
