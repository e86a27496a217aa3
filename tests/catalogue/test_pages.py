"""The catalogue page and a service's page: live services by category, search, coming, each live service's
response and fix times, query counts."""

import pytest
from django.urls import reverse

from catalogue import targets
from catalogue.models import Lifecycle, Service
from slas.catalogue_targets import service_targets
from slas.models import BusinessCalendar, ServiceLevelAgreement
from tests.factories import (
    ServiceCategoryFactory,
    ServiceFactory,
    ServiceLevelAgreementFactory,
    SlaServiceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sla_targets_provided(monkeypatch):
    # SlasConfig.ready registers slas' provider (tests/slas/test_catalogue_targets.py checks that it does);
    # registered here too, so these page tests do not depend on start-up order.
    monkeypatch.setattr(targets, "_provider", service_targets)


def test_catalogue_lists_live_services_by_category_and_pipeline_as_coming(signed_in, staff_user):
    response = signed_in(staff_user).get(reverse("catalogue:catalogue"))

    assert response.status_code == 200
    shown = [s.name for _, services in response.context["by_category"] for s in services]
    assert set(shown) == set(Service.objects.filter(status=Lifecycle.LIVE).values_list("name", flat=True))
    assert len(shown) >= 15
    assert len(response.context["by_category"]) >= 5
    coming = [s.name for s in response.context["coming"]]
    assert "Video conferencing for council meetings" in coming
    html = response.content.decode()
    assert "Fax lines" not in html  # retired: never offered


def test_search_matches_keywords_and_descriptions(signed_in, staff_user):
    response = signed_in(staff_user).get(reverse("catalogue:catalogue"), {"q": "toner"})
    shown = [s.name for _, services in response.context["by_category"] for s in services]
    assert shown == ["Printing, copying and scanning"]

    response = signed_in(staff_user).get(reverse("catalogue:catalogue"), {"q": "payslip"})
    assert [s.name for _, services in response.context["by_category"] for s in services] == [
        "Payroll and HR system"
    ]


def test_search_with_no_match_says_so(signed_in, staff_user):
    response = signed_in(staff_user).get(reverse("catalogue:catalogue"), {"q": "submarine"})
    assert "No live service matches" in response.content.decode()


def test_user_text_is_escaped(signed_in, staff_user):
    ServiceFactory(name="<script>alert(1)</script>", description='"><img src=x onerror=alert(2)>')
    html = signed_in(staff_user).get(reverse("catalogue:catalogue"), {"q": "<script>"}).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    html = signed_in(staff_user).get(reverse("catalogue:catalogue")).content.decode()
    assert "<img src=x" not in html


# session, user, groups (navigation), live services, pipeline services, and for the targets: the
# services named in agreements, the agreements with their calendars, the calendars' hours, the targets
CATALOGUE_QUERIES = 9


def test_query_count_does_not_grow_with_services(signed_in, staff_user, django_assert_num_queries):
    client = signed_in(staff_user)
    client.get(reverse("catalogue:catalogue"))
    with django_assert_num_queries(CATALOGUE_QUERIES):
        client.get(reverse("catalogue:catalogue"))
    category = ServiceCategoryFactory()
    # 40 more live services: half under the default agreement, half named in agreements of their own
    # (on two calendars), so every path of the targets lookup grows.
    ServiceFactory.create_batch(20, category=category)
    always = BusinessCalendar.objects.get(name="24 x 7")
    for n in range(20):
        sla = ServiceLevelAgreementFactory(calendar=always if n % 2 else BusinessCalendar.objects.first())
        SlaServiceFactory(service=ServiceFactory(category=category), sla=sla)
    with django_assert_num_queries(CATALOGUE_QUERIES):
        response = client.get(reverse("catalogue:catalogue"))
    live = [service for _, services in response.context["by_category"] for service in services]
    assert len(live) >= 55
    assert all(service.service_targets is not None for service in live)
    assert len(response.content.decode().split("gets a first response within")) - 1 == 5 * len(live)


def test_each_live_service_shows_its_targets_per_priority_in_words(signed_in, staff_user):
    html = signed_in(staff_user).get(reverse("catalogue:catalogue")).content.decode()

    printing = html[html.index("Printing, copying and scanning") :]
    printing = printing[: printing.index("</li>")]
    assert "A P1 gets a first response within 30 minutes and a fix within 4 business hours." in printing
    assert "A P2 gets a first response within 1 business hour and a fix within 1 business day." in printing
    assert "A P3 gets a first response within 4 business hours and a fix within 3 business days." in printing
    assert "A P4 gets a first response within 1 business day and a fix within 5 business days." in printing
    assert "A P5 gets a first response within 2 business days and a fix within 10 business days." in printing
    assert "Monday to Friday 08:00-16:30, except public holidays" in printing
    assert "“Standard” agreement" in printing

    payroll = html[html.index("Payroll and HR system") :]
    payroll = payroll[: payroll.index("</li>")]
    assert "A P1 gets a first response within 15 minutes and a fix within 2 business hours." in payroll
    assert "“Critical services” agreement" in payroll


def test_a_24x7_agreement_counts_whole_days_and_hours(signed_in, staff_user):
    sla = ServiceLevelAgreementFactory(
        name="Always on",
        calendar=BusinessCalendar.objects.get(name="24 x 7"),
        targets={1: (15, 120), 2: (60, 1440), 3: (120, 3 * 1440), 4: (1440, 7 * 1440), 5: (1440, 14 * 1440)},
    )
    service = SlaServiceFactory(sla=sla, service=ServiceFactory(name="Public Wi-Fi at the library")).service

    html = signed_in(staff_user).get(reverse("catalogue:service_detail", args=[service.pk])).content.decode()

    assert "A P1 gets a first response within 15 minutes and a fix within 2 hours." in html
    assert "A P2 gets a first response within 1 hour and a fix within 1 day." in html
    assert "A P4 gets a first response within 1 day and a fix within 7 days." in html
    assert "every hour of every day" in html
    assert "business" not in html[html.index("How fast") :]


def test_service_page_shows_targets_for_a_live_service_only(signed_in, staff_user):
    client = signed_in(staff_user)
    payroll = Service.objects.get(name="Payroll and HR system")
    coming = Service.objects.filter(status=Lifecycle.PIPELINE).first()

    html = client.get(reverse("catalogue:service_detail", args=[payroll.pk])).content.decode()
    assert "A P1 gets a first response within 15 minutes and a fix within 2 business hours." in html
    assert "A P5 gets a first response within 1 business day and a fix within 5 business days." in html

    html = client.get(reverse("catalogue:service_detail", args=[coming.pk])).content.decode()
    assert "gets a first response" not in html


def test_without_a_default_agreement_unnamed_services_show_no_targets(signed_in, staff_user):
    ServiceLevelAgreement.objects.filter(is_default=True).update(is_default=False)

    response = signed_in(staff_user).get(reverse("catalogue:catalogue"))

    by_name = {s.name: s for _, services in response.context["by_category"] for s in services}
    assert by_name["Printing, copying and scanning"].service_targets is None
    assert by_name["Payroll and HR system"].service_targets.agreement == "Critical services"


def test_without_a_targets_provider_the_page_still_works(signed_in, staff_user, monkeypatch):
    monkeypatch.setattr(targets, "_provider", None)

    response = signed_in(staff_user).get(reverse("catalogue:catalogue"))

    assert response.status_code == 200
    assert "gets a first response" not in response.content.decode()


def test_service_page_shows_questions_and_critical_periods(signed_in, staff_user):
    service = Service.objects.get(name="User accounts and passwords")

    html = signed_in(staff_user).get(reverse("catalogue:service_detail", args=[service.pk])).content.decode()

    assert "Start date" in html
    assert "Full name of the person" in html
    payroll = Service.objects.get(name="Payroll and HR system")
    html = signed_in(staff_user).get(reverse("catalogue:service_detail", args=[payroll.pk])).content.decode()
    assert "the last 5 working days of each month" in html


def test_unknown_service_is_404(signed_in, staff_user):
    assert signed_in(staff_user).get(reverse("catalogue:service_detail", args=[999999])).status_code == 404


def test_catalogue_needs_sign_in(client):
    assert client.get(reverse("catalogue:catalogue")).status_code == 302
