"""Catalogue verbs: the lifecycle, request answers, and the catalogue CSV import (all or nothing)."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from catalogue import services
from catalogue.models import Lifecycle, RequestField, Service, ServiceCategory
from common.spreadsheets import ImportRefused
from tests.factories import (
    RequestFieldFactory,
    ServiceFactory,
    SupportGroupFactory,
    UserFactory,
    implemented_change_for,
)

pytestmark = pytest.mark.django_db
FieldType = RequestField.FieldType


@pytest.mark.parametrize(
    ("start", "target", "allowed"),
    [
        (Lifecycle.PIPELINE, Lifecycle.LIVE, True),
        (Lifecycle.PIPELINE, Lifecycle.RETIRED, True),
        (Lifecycle.LIVE, Lifecycle.RETIRED, True),
        (Lifecycle.LIVE, Lifecycle.PIPELINE, False),
        (Lifecycle.RETIRED, Lifecycle.LIVE, False),
        (Lifecycle.RETIRED, Lifecycle.PIPELINE, False),
    ],
)
def test_lifecycle_transitions(start, target, allowed):
    service = ServiceFactory(status=start)
    # Going live and retiring a live service need an implemented change that names it (changes app).
    implemented_change_for(service, target)

    if allowed:
        moved = services.service_change_status(service=service, status=target)
        assert moved.status == target
        assert moved.status_changed_at is not None
    else:
        with pytest.raises(ValidationError) as refused:
            services.service_change_status(service=service, status=target)
        assert "cannot become" in refused.value.message_dict["status"][0]
        service.refresh_from_db()
        assert service.status == start


@pytest.mark.parametrize(
    ("start", "target"), [(Lifecycle.PIPELINE, Lifecycle.LIVE), (Lifecycle.LIVE, Lifecycle.RETIRED)]
)
def test_a_service_moves_only_through_an_implemented_change_that_names_it(start, target):
    service = ServiceFactory(status=start, name="Online rates statements")
    implemented_change_for(ServiceFactory(), target)  # names another service
    with pytest.raises(ValidationError) as refused:
        services.service_change_status(service=service, status=target)
    assert "only through an implemented change that names it" in refused.value.message_dict["status"][0]
    implemented_change_for(service, target)
    assert services.service_change_status(service=service, status=target).status == target


def test_a_pipeline_service_is_dropped_without_a_change():
    service = ServiceFactory(status=Lifecycle.PIPELINE)
    assert services.service_change_status(service=service, status=Lifecycle.RETIRED).status == "retired"


def test_lifecycle_change_is_recorded_in_history():
    service = ServiceFactory(status=Lifecycle.PIPELINE)
    implemented_change_for(service)
    services.service_change_status(service=service, status=Lifecycle.LIVE)
    assert [h.status for h in service.history.order_by("history_date")] == ["pipeline", "live"]


def make_request_service():
    service = ServiceFactory(offers_requests=True)
    RequestFieldFactory(service=service, key="person_name", label="Full name", field_type=FieldType.TEXT)
    RequestFieldFactory(service=service, key="start_date", label="Start date", field_type=FieldType.DATE)
    RequestFieldFactory(
        service=service,
        key="access",
        label="Access",
        field_type=FieldType.CHOICE,
        choices="Read only\nRead and change",
    )
    RequestFieldFactory(
        service=service, key="laptop", label="Laptop", field_type=FieldType.YES_NO, required=False
    )
    RequestFieldFactory(
        service=service, key="seats", label="Seats", field_type=FieldType.NUMBER, required=False
    )
    return service


def test_request_answers_are_cleaned():
    service = make_request_service()

    answers = services.request_answers_validate(
        service=service,
        answers={
            "person_name": "Zola Mbeki",
            "start_date": "2027-01-04",
            "access": "Read only",
            "laptop": "yes",
        },
    )

    assert answers == {
        "person_name": "Zola Mbeki",
        "start_date": "2027-01-04",
        "access": "Read only",
        "laptop": True,
        "seats": None,
    }


def test_request_answers_errors_are_per_question_in_plain_words():
    service = make_request_service()

    with pytest.raises(ValidationError) as refused:
        services.request_answers_validate(
            service=service,
            answers={"start_date": "next week", "access": "Admin", "seats": "-2", "colour": "red"},
        )

    errors = refused.value.message_dict
    assert set(errors) == {"colour"}  # unknown questions are refused before anything else
    with pytest.raises(ValidationError) as refused:
        services.request_answers_validate(
            service=service, answers={"start_date": "next week", "access": "Admin"}
        )
    errors = refused.value.message_dict
    assert errors["person_name"] == ["This field is required."]
    assert errors["start_date"] == ["Enter a valid date."]
    assert "Admin is not one of the available choices" in errors["access"][0]


def test_a_choice_field_needs_two_choices():
    field = RequestField(
        service=ServiceFactory(), label="Pick", key="pick", field_type=FieldType.CHOICE, choices="One"
    )
    with pytest.raises(ValidationError, match="at least two choices"):
        field.full_clean()


# --- CSV -----------------------------------------------------------------------------------------------


def upload(rows, header=services.CATALOGUE_COLUMNS):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile("catalogue.csv", buffer.getvalue().encode(), content_type="text/csv")


def row(name, **overrides):
    values = {
        "name": name,
        "category": "Test category",
        "status": "live",
        "criticality": "medium",
        "support_group": "Networks",
        "owner": "",
        "offers_incidents": "yes",
        "offers_requests": "no",
        "request_impact": "",
        "request_urgency": "",
        "description": f"{name} for staff.",
        "keywords": "",
    }
    values.update(overrides)
    return [values[c] for c in services.CATALOGUE_COLUMNS]


def test_import_creates_and_updates_services_and_categories():
    UserFactory(username="owner1")
    before = Service.objects.count()

    count = services.catalogue_import(
        upload(
            [
                row("Test new service", owner="owner1", status="pipeline"),
                row(
                    "E-mail and calendars",
                    category="E-mail and collaboration",
                    criticality="critical",
                    support_group="Business Applications",
                    offers_requests="yes",
                ),
            ]
        )
    )

    assert count == 2
    assert Service.objects.count() == before + 1
    new = Service.objects.get(name="Test new service")
    assert (new.status, new.owner.username, new.category.name) == ("pipeline", "owner1", "Test category")
    assert ServiceCategory.objects.filter(name="Test category").exists()
    assert Service.objects.get(name="E-mail and calendars").criticality == "critical"


def test_import_does_not_make_a_service_live_without_a_change():
    with pytest.raises(ImportRefused) as refused:
        services.catalogue_import(upload([row("Brand new live service", status="live")]))
    assert "only through an implemented change" in str(refused.value.errors[0])
    assert not Service.objects.filter(name="Brand new live service").exists()


def test_import_with_one_bad_row_changes_nothing_and_names_the_lines():
    before = list(Service.objects.order_by("pk").values_list("name", "status", "criticality"))

    with pytest.raises(ImportRefused) as refused:
        services.catalogue_import(
            upload(
                [
                    row("Good one", status="pipeline"),
                    row("Bad group", support_group="Plumbing", status="pipeline"),
                    row("Good two", status="pipeline"),
                    row("Fax lines", category="Telephones", status="live", support_group="Telephony"),
                    row("Good one", status="pipeline"),
                ]
            )
        )

    messages = [str(e) for e in refused.value.errors]
    assert messages[0] == "line 3: support group 'Plumbing' does not exist"
    assert messages[1] == "line 5: status cannot go from retired to live"
    assert messages[2] == "line 6: 'Good one' is already on line 2"
    assert list(Service.objects.order_by("pk").values_list("name", "status", "criticality")) == before
    assert not ServiceCategory.objects.filter(name="Test category").exists()


def test_import_refuses_unknown_columns():
    with pytest.raises(ImportRefused, match="unknown column"):
        services.catalogue_import(
            upload(
                [["x", "y", "Networks", "d", "?"]],
                header=["name", "category", "support_group", "description", "colour"],
            )
        )


def test_export_round_trips_and_is_formula_safe():
    SupportGroupFactory(name='=HYPERLINK("http://evil")')
    ServiceFactory(
        name="@SUM(A1)", description="=cmd|' /C calc'!A0", keywords="+1", support_group__name="Networks"
    )
    header, rows = services.catalogue_export(Service.objects.all())

    from common.spreadsheets import csv_response

    body = csv_response("x.csv", header, rows).content.decode("utf-8-sig")
    parsed = list(csv.DictReader(io.StringIO(body)))
    risky = next(r for r in parsed if r["name"] == "'@SUM(A1)")
    assert risky["description"] == "'=cmd|' /C calc'!A0"
    assert risky["keywords"] == "'+1"
    # The exported file (without the formula guards) imports back unchanged.
    clean = [r for r in rows if not str(r[0]).startswith("@")]
    before = list(Service.objects.order_by("pk").values())
    services.catalogue_import(upload(clean, header=header))
    after = list(Service.objects.order_by("pk").values())
    strip = {"updated_at"}
    assert [{k: v for k, v in s.items() if k not in strip} for s in after] == [
        {k: v for k, v in s.items() if k not in strip} for s in before
    ]


def test_a_service_requests_impact_and_urgency_round_trip():
    """Export, change them in the catalogue, import the export: they are back as exported."""
    from common.spreadsheets import csv_response

    mail = Service.objects.get(name="E-mail and calendars")
    Service.objects.filter(pk=mail.pk).update(request_impact="high", request_urgency="low")
    header, rows = services.catalogue_export(Service.objects.all())
    assert header[header.index("request_impact") + 1] == "request_urgency"
    exported = csv_response("x.csv", header, rows).content
    Service.objects.update(request_impact="medium", request_urgency="medium")

    services.catalogue_import(SimpleUploadedFile("catalogue.csv", exported, content_type="text/csv"))

    mail.refresh_from_db()
    assert (mail.request_impact, mail.request_urgency) == ("high", "low")


def test_a_request_impact_left_blank_keeps_the_services_own_and_a_wrong_one_is_refused():
    mail = Service.objects.get(name="E-mail and calendars")
    Service.objects.filter(pk=mail.pk).update(request_impact="high", request_urgency="low")
    mail_row = {
        "category": "E-mail and collaboration",
        "support_group": "Business Applications",
        "offers_requests": "yes",
    }

    services.catalogue_import(upload([row("E-mail and calendars", request_urgency="High", **mail_row)]))
    mail.refresh_from_db()
    assert (mail.request_impact, mail.request_urgency) == ("high", "high")
    assert Service.objects.get(name="E-mail and calendars").request_impact == "high"

    with pytest.raises(ImportRefused) as refused:
        services.catalogue_import(upload([row("E-mail and calendars", request_impact="urgent", **mail_row)]))
    assert [str(e) for e in refused.value.errors] == [
        "line 2: request_impact 'urgent' is not low, medium or high"
    ]
