"""The "Log a ticket" page (incidents.views.ticket_new): what it asks, what it saves through
services.ticket_log, and that an error keeps everything the person typed."""

import re

import pytest
from django.urls import reverse

from catalogue.models import AssetTypeService, Lifecycle, RequestField, Service
from common import access as roles
from incidents.models import Attachment, Channel, Ticket
from sites.models import Site
from tests.factories import (
    AssetFactory,
    RequestFieldFactory,
    ServiceCategoryFactory,
    ServiceFactory,
    UserFactory,
)
from tests.incidents.pages_fixtures import *  # noqa: F403
from tests.incidents.pages_fixtures import png

pytestmark = pytest.mark.django_db
URL = reverse("ticket_new")


def valid_data(service, site, **overrides):
    return {
        "kind": "incident",
        "service": service.pk,
        "site": site.pk if site else "",
        "asset_tag": "",
        "summary": "Printer jams",
        "description": "It jams on the second page of every job.",
        "how_bad": "team",
        **overrides,
    }


@pytest.fixture
def staff_at_dutywa(staff_user, dutywa):
    staff_user.site = dutywa
    staff_user.save(update_fields=["site"])
    return staff_user


@pytest.fixture
def request_service(group):
    service = ServiceFactory(
        name="New user account (test)", support_group=group, offers_incidents=False, offers_requests=True
    )
    RequestFieldFactory(service=service, key="start_date", label="Start date", field_type="date")
    RequestFieldFactory(service=service, key="department", label="Department", field_type="text")
    return service


# --- what the form asks ---------------------------------------------------------------------------------


def test_staff_form_asks_in_plain_words_and_defaults_to_their_site(signed_in, staff_at_dutywa, service):
    response = signed_in(staff_at_dutywa).get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "How bad is it?" in html
    assert "It slows me down, but I can still work" in html
    assert "How many people are affected?" not in html and "Can you still work?" not in html
    form = response.context["form"]
    assert form["site"].value() == staff_at_dutywa.site_id
    assert "requester" not in form.fields and "channel" not in form.fields
    assert not form.fields["description"].required
    assert 'type="file" name="files"' in html and "multiple" in html
    assert "js/tickets.js" in html


def test_the_kind_is_a_required_question_the_browser_checks(signed_in, staff_user, service):
    html = signed_in(staff_user).get(URL).content.decode()

    kind = re.search(r"<legend>Is something broken, or do you need something\?(.*?)</legend>", html)
    assert kind and 'aria-hidden="true">*' in kind.group(1)  # marked required
    radios = re.findall(r'<input type="radio" name="kind"[^>]*>', html)
    assert len(radios) == 2 and all(" required" in radio for radio in radios)
    assert "Something is broken" in html and "I need something" in html
    # "How bad is it?" is for faults only: the script makes it required once the kind says so.
    how_bad = re.findall(r'<input type="radio" name="how_bad"[^>]*>', html)
    assert len(how_bad) == 4 and not any(" required" in radio for radio in how_bad)


def test_services_are_live_ones_grouped_by_category(signed_in, staff_user, service):
    ServiceFactory(name="Coming soon (test)", status=Lifecycle.PIPELINE, category=service.category)

    html = signed_in(staff_user).get(URL).content.decode()

    assert f'<optgroup label="{service.category.name}">' in html
    assert 'data-kinds="incident"' in html
    assert "Printing (test)" in html
    assert "Coming soon (test)" not in html
    assert '<optgroup label="Connectivity and network">' in html  # the seeded catalogue


def test_query_string_prefills_service_kind_and_an_assets_site(signed_in, staff_user, service):
    elliotdale = Site.objects.filter(town="Elliotdale").first()
    AssetFactory(asset_tag="MLM-PRN-0042", site=elliotdale, type="printer")

    form = signed_in(staff_user).get(URL, {"service": service.pk, "asset": "mlm-prn-0042"}).context["form"]

    assert form["service"].value() == str(service.pk)  # the link's service wins over the asset's type
    assert form["kind"].value() == "incident"  # the service takes only incidents
    assert form["asset_tag"].value() == "MLM-PRN-0042"
    assert form["site"].value() == elliotdale.pk


# --- logging ---------------------------------------------------------------------------------------------


def test_staff_logs_an_incident_with_files_and_lands_on_its_page(signed_in, staff_at_dutywa, service, dutywa):
    client = signed_in(staff_at_dutywa)

    response = client.post(
        URL, {**valid_data(service, dutywa), "files": [png("one.png"), png("two.png")]}, follow=True
    )

    ticket = Ticket.objects.get()
    assert response.redirect_chain[-1][0] == reverse("ticket_detail", args=[ticket.pk])
    assert (ticket.requester, ticket.logged_by, ticket.channel) == (staff_at_dutywa, staff_at_dutywa, "web")
    assert (ticket.service, ticket.site, ticket.impact, ticket.urgency) == (service, dutywa, "medium", "high")
    assert ticket.priority == 2  # medium impact x high urgency in the matrix
    assert ticket.group == service.support_group
    assert sorted(Attachment.objects.values_list("original_name", flat=True)) == ["one.png", "two.png"]
    assert f"{ticket.reference} is logged" in response.content.decode()


def test_an_error_keeps_everything_typed_and_says_files_must_be_chosen_again(signed_in, staff_user, service):
    AssetFactory(asset_tag="MLM-DSK-0001", site=Site.objects.get(name="Dutywa Main Building"))
    data = valid_data(
        service,
        Site.objects.get(name="Dutywa Main Building"),
        summary="",
        description="Typed with care: the toner light blinks.",
        asset_tag="MLM-DSK-0001",
        how_bad="stopped",
    )

    response = signed_in(staff_user).post(URL, {**data, "files": [png()]})

    assert response.status_code == 400
    assert not Ticket.objects.exists()
    html = response.content.decode()
    assert "Say in a few words what is wrong or what you need." in html
    assert "Typed with care: the toner light blinks." in html
    assert 'value="MLM-DSK-0001"' in html
    assert re.search(r'name="how_bad" value="stopped"[^>]*checked', html)
    assert f'<option value="{service.pk}" selected' in html
    assert "please choose your files again" in html


def test_an_asset_at_another_site_is_refused_next_to_the_asset_field(signed_in, staff_user, service, dutywa):
    elsewhere = AssetFactory(asset_tag="MLM-PRN-0007", site=Site.objects.exclude(pk=dutywa.pk).first())

    response = signed_in(staff_user).post(URL, valid_data(service, dutywa, asset_tag="mlm-prn-0007"))

    assert response.status_code == 400
    assert response.context["form"].errors["asset_tag"] == [
        f"MLM-PRN-0007 is at {elsewhere.site.name}, not at {dutywa.name}."
    ]
    assert not Ticket.objects.exists()


def test_an_unknown_asset_tag_is_explained(signed_in, staff_user, service, dutywa):
    response = signed_in(staff_user).post(URL, valid_data(service, dutywa, asset_tag="NOPE-1"))

    assert "No asset has the tag NOPE-1" in response.content.decode()


def test_a_file_the_service_refuses_shows_at_the_files_field(signed_in, staff_user, service, dutywa):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf")

    response = signed_in(staff_user).post(URL, {**valid_data(service, dutywa), "files": [fake]})

    assert response.status_code == 400
    assert "does not match its name" in " ".join(response.context["form"].errors["files"])
    assert "It jams on the second page" in response.content.decode()
    assert not Ticket.objects.exists()


def test_a_kind_the_service_does_not_take_is_refused_in_plain_words(signed_in, staff_user, service, dutywa):
    response = signed_in(staff_user).post(URL, valid_data(service, dutywa, kind="request"))

    assert response.status_code == 400
    assert "does not take service requests" in " ".join(response.context["form"].errors["kind"])


def test_the_kind_must_be_said_even_when_the_service_takes_only_one(signed_in, staff_user, service, dutywa):
    # The page's script ticks it for such a service; a post without it is refused, not guessed.
    response = signed_in(staff_user).post(URL, valid_data(service, dutywa, kind=""))

    assert response.status_code == 400
    assert response.context["form"].errors["kind"] == [
        "Say whether something is broken or you need something."
    ]
    assert not Ticket.objects.exists()


def test_the_kind_must_be_said_when_the_service_takes_both(signed_in, staff_user, dutywa, group):
    both = ServiceFactory(support_group=group, offers_incidents=True, offers_requests=True)

    response = signed_in(staff_user).post(URL, valid_data(both, dutywa, kind=""))

    assert "Say whether something is broken or you need something." in response.content.decode()


def test_a_fault_must_say_how_bad_it_is(signed_in, staff_user, service, dutywa):
    response = signed_in(staff_user).post(URL, valid_data(service, dutywa, how_bad=""))

    assert response.status_code == 400
    assert response.context["form"].errors["how_bad"] == ["Say how bad it is."]
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("how_bad", "impact", "urgency", "priority"),
    [
        ("slowed", "low", "medium", 4),
        ("stopped", "low", "high", 3),
        ("team", "medium", "high", 2),
        ("site", "high", "high", 1),
    ],
)
def test_how_bad_it_is_becomes_impact_urgency_and_the_matrix_priority(
    signed_in, staff_user, service, dutywa, how_bad, impact, urgency, priority
):
    signed_in(staff_user).post(URL, valid_data(service, dutywa, how_bad=how_bad))

    ticket = Ticket.objects.get()
    assert (ticket.impact, ticket.urgency, ticket.priority) == (impact, urgency, priority)


def test_the_description_is_optional_when_the_summary_says_enough(signed_in, staff_user, service, dutywa):
    response = signed_in(staff_user).post(URL, valid_data(service, dutywa, description=""))

    assert response.status_code == 302
    assert Ticket.objects.get().description == ""


def test_a_service_that_is_not_live_cannot_be_chosen(signed_in, staff_user, dutywa):
    retired = ServiceFactory(status=Lifecycle.RETIRED, category=ServiceCategoryFactory())

    response = signed_in(staff_user).post(URL, valid_data(retired, dutywa))

    assert response.context["form"].errors["service"] == ["Choose a service from the list."]


# --- service requests and their questions ---------------------------------------------------------------


def test_choosing_a_request_service_by_link_shows_its_questions(signed_in, staff_user, request_service):
    html = signed_in(staff_user).get(URL, {"service": request_service.pk}).content.decode()

    assert "New user account (test) asks" in html
    assert 'name="answers-start_date"' in html and 'name="answers-department"' in html
    assert f'name="questions_for" value="{request_service.pk}"' in html


def test_without_the_script_sending_first_shows_the_questions_and_saves_nothing(
    signed_in, staff_user, request_service, dutywa
):
    data = valid_data(request_service, dutywa, kind="request", summary="Account for the new clerk")

    response = signed_in(staff_user).post(URL, data)

    assert response.status_code == 200
    assert not Ticket.objects.exists()
    html = response.content.decode()
    assert "asks a few more questions" in html
    assert 'name="answers-start_date"' in html
    assert 'value="Account for the new clerk"' in html
    assert "This field is required" not in html  # not shouted at for questions never seen


def test_a_request_saves_its_answers(signed_in, staff_user, request_service, dutywa):
    data = {
        **valid_data(request_service, dutywa, kind="request", how_bad=""),
        "questions_for": request_service.pk,
        "answers-start_date": "2025-07-01",
        "answers-department": "Finance",
    }

    response = signed_in(staff_user).post(URL, data)

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert ticket.kind == "request"
    assert ticket.request_answers == {"start_date": "2025-07-01", "department": "Finance"}


def test_a_request_is_not_asked_how_bad_and_takes_its_services_default_priority(
    signed_in, staff_user, request_service, dutywa
):
    request_service.request_impact, request_service.request_urgency = "medium", "medium"
    request_service.save(update_fields=["request_impact", "request_urgency"])
    client = signed_in(staff_user)
    html = client.get(URL, {"service": request_service.pk}).content.decode()
    assert '<div id="how-bad" hidden>' in html  # the service takes requests only

    # Even an answer sent by hand is not a request's business: the service's default decides.
    client.post(
        URL,
        {
            **valid_data(request_service, dutywa, kind="request", how_bad="site"),
            "questions_for": request_service.pk,
            "answers-start_date": "2025-07-01",
            "answers-department": "Finance",
        },
    )

    ticket = Ticket.objects.get()
    assert (ticket.impact, ticket.urgency, ticket.priority) == ("medium", "medium", 3)
    assert ticket.priority_reason == "P3: medium impact x medium urgency (the service's default for requests)"


# --- from an asset's QR label ---------------------------------------------------------------------------


def test_an_asset_label_says_which_device_and_brings_its_service_site_and_kind(signed_in, staff_user):
    printing = Service.objects.get(name="Printing, copying and scanning")  # offers incidents and requests
    dutywa = Site.objects.get(name="Dutywa Main Building")
    building = dutywa.building_set.get(name="Park home 1")
    AssetFactory(
        asset_tag="MLM-PRN-0042",
        site=dutywa,
        building=building,
        type="printer",
        make="HP",
        model="LaserJet M404",
        location="2nd floor",
    )

    response = signed_in(staff_user).get(URL, {"asset": "mlm-prn-0042"})

    form = response.context["form"]
    assert form["service"].value() == printing.pk
    assert form["kind"].value() == "incident"  # a label sits on a device: most likely it is broken
    assert (form["site"].value(), form["asset_tag"].value()) == (dutywa.pk, "MLM-PRN-0042")
    assert "<strong>HP LaserJet M404, Dutywa Main Building, Park home 1, 2nd floor</strong>" in (
        response.content.decode()
    )


def test_an_asset_type_without_a_service_leaves_the_service_to_the_person(signed_in, staff_user, dutywa):
    AssetFactory(asset_tag="MLM-SRV-0001", site=dutywa, type="server", make="Dell", model="R650")

    response = signed_in(staff_user).get(URL, {"asset": "MLM-SRV-0001"})

    assert response.context["form"]["service"].value() is None
    assert "<strong>Dell R650, Dutywa Main Building</strong>" in response.content.decode()


def test_the_asset_type_to_service_mapping_is_data(signed_in, staff_user, dutywa, service):
    AssetTypeService.objects.filter(asset_type="printer").update(service=service)
    AssetFactory(asset_tag="MLM-PRN-0043", site=dutywa, type="printer")

    form = signed_in(staff_user).get(URL, {"asset": "MLM-PRN-0043"}).context["form"]

    assert form["service"].value() == service.pk
    assert form["kind"].value() == "incident"  # the service takes incidents only


def test_a_wrong_answer_is_shown_at_its_question_and_the_rest_is_kept(
    signed_in, staff_user, request_service, dutywa
):
    data = {
        **valid_data(request_service, dutywa, kind="request", description="For the new finance clerk."),
        "questions_for": request_service.pk,
        "answers-start_date": "not a date",
        "answers-department": "Finance",
    }

    response = signed_in(staff_user).post(URL, data)

    assert response.status_code == 400
    assert not Ticket.objects.exists()
    answers_form = response.context["answers_form"]
    assert answers_form.errors["start_date"] == ["Enter a valid date."]
    html = response.content.decode()
    assert 'value="Finance"' in html and 'value="not a date"' in html
    assert "For the new finance clerk." in html


def test_the_questions_fragment_for_the_script(signed_in, staff_user, request_service, service):
    client = signed_in(staff_user)
    url = reverse("ticket_new_questions")

    fragment = client.get(url, {"service": request_service.pk, "kind": "request"}).content.decode()
    assert 'name="answers-department"' in fragment
    assert "<html" not in fragment
    assert client.get(url, {"service": request_service.pk, "kind": "incident"}).content.strip() == b""
    assert client.get(url, {"service": service.pk, "kind": "request"}).content.strip() == b""
    assert client.get(url, {"service": "x"}).status_code == 200


def test_optional_and_choice_questions_render(signed_in, staff_user, request_service):
    RequestFieldFactory(
        service=request_service,
        key="laptop",
        label="Laptop model",
        field_type=RequestField.FieldType.CHOICE,
        choices="Small\nLarge",
        required=False,
    )
    html = signed_in(staff_user).get(URL, {"service": request_service.pk}).content.decode()

    assert '<option value="Small">Small</option>' in html


# --- on a caller's behalf ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [roles.TECHNICIAN, roles.MANAGER, roles.ADMIN])
def test_support_logs_for_a_caller_and_records_the_channel(signed_in, role, service, dutywa):
    caller = UserFactory(username="caller", role=roles.STAFF, site=dutywa)
    desk = UserFactory(role=role)
    client = signed_in(desk)
    form = client.get(URL).context["form"]
    assert {"requester", "channel"} <= set(form.fields)

    response = client.post(URL, valid_data(service, None, requester=caller.pk, channel=Channel.WALK_IN))

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert (ticket.requester, ticket.logged_by, ticket.channel) == (caller, desk, "walk_in")
    assert ticket.site == dutywa  # blank site: the caller's usual site


def test_support_must_say_who_called(signed_in, technician_user, service, dutywa):
    response = signed_in(technician_user).post(URL, valid_data(service, dutywa, channel="phone"))

    assert response.status_code == 400
    assert "requester" in response.context["form"].errors


def test_staff_cannot_log_for_someone_else_or_claim_a_channel(
    signed_in, staff_user, other_staff, service, dutywa
):
    signed_in(staff_user).post(
        URL, valid_data(service, dutywa, requester=other_staff.pk, channel=Channel.PHONE)
    )

    ticket = Ticket.objects.get()
    assert (ticket.requester, ticket.channel) == (staff_user, "web")
