"""The catalogue page and a service's page: live services by category, search, coming, query counts."""

import pytest
from django.urls import reverse

from catalogue.models import Lifecycle, Service
from tests.factories import ServiceCategoryFactory, ServiceFactory

pytestmark = pytest.mark.django_db


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


def test_query_count_does_not_grow_with_services(signed_in, staff_user, django_assert_num_queries):
    client = signed_in(staff_user)
    client.get(reverse("catalogue:catalogue"))
    # session, user, groups (navigation), live services, pipeline services
    with django_assert_num_queries(5):
        client.get(reverse("catalogue:catalogue"))
    category = ServiceCategoryFactory()
    ServiceFactory.create_batch(40, category=category)
    with django_assert_num_queries(5):
        response = client.get(reverse("catalogue:catalogue"))
    assert sum(len(s) for _, s in response.context["by_category"]) >= 55


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
