"""/api/outages/ and the Alertmanager webhook."""

import pytest
from django.test import override_settings

from outages.models import Outage
from sites.models import Site

pytestmark = pytest.mark.django_db
TOKEN = "s3cret-webhook-token"


def firing(fingerprint="abc123", site="Willowvale Town Hall", status="firing", ends="0001-01-01T00:00:00Z"):
    return {
        "version": "4",
        "status": status,
        "alerts": [
            {
                "status": status,
                "labels": {"alertname": "SiteDown", "site": site},
                "annotations": {"summary": "Willowvale router unreachable"},
                "startsAt": "2026-12-01T07:10:00Z",
                "endsAt": ends,
                "fingerprint": fingerprint,
            }
        ],
    }


@pytest.fixture
def site():
    return Site.objects.filter(name__icontains="Willowvale").order_by("pk").first()


def post(client, body, token=TOKEN):
    return client.post(
        "/api/outages/alertmanager/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


@override_settings(OUTAGES_WEBHOOK_TOKEN=TOKEN)
def test_the_webhook_fired_twice_opens_one_outage_and_resolved_ends_it(client, site):
    assert post(client, firing(site=site.name)).json() == {"results": ["opened"]}
    assert post(client, firing(site=site.name)).json() == {"results": ["known"]}
    outage = Outage.objects.get()
    assert outage.site == site and outage.ended_at is None and outage.source == "alertmanager"
    answer = post(client, firing(site=site.name, status="resolved", ends="2026-12-01T09:40:00Z"))
    assert answer.json() == {"results": ["ended"]}
    outage.refresh_from_db()
    assert outage.ended_at.isoformat() == "2026-12-01T09:40:00+00:00"
    assert post(client, firing(site=site.name, status="resolved")).json() == {"results": ["known"]}


@override_settings(OUTAGES_WEBHOOK_TOKEN=TOKEN)
def test_the_webhook_needs_its_token_and_changes_nothing_without_it(client, site):
    assert post(client, firing(site=site.name), token="wrong").status_code == 401
    assert (
        client.post("/api/outages/alertmanager/", firing(), content_type="application/json").status_code
        == 401
    )
    assert not Outage.objects.exists()


@override_settings(OUTAGES_WEBHOOK_TOKEN="")
def test_the_webhook_is_closed_when_no_token_is_set(client, site):
    assert post(client, firing(site=site.name), token="").status_code == 401


@override_settings(OUTAGES_WEBHOOK_TOKEN=TOKEN)
def test_unknown_labels_and_bad_bodies_are_answered_plainly(client):
    assert post(client, firing(site="Nowhere")).json() == {
        "results": ["ignored: the labels name no known site or asset_tag"]
    }
    assert post(client, {"alerts": "x"}).status_code == 400
    assert not Outage.objects.exists()


def test_staff_read_outages_the_desk_records_them(client, staff_user, technician_user, site):
    client.force_login(staff_user)
    body = {"scope": "site", "kind": "unplanned", "site": site.pk, "started_at": "2026-12-01T09:10:00+02:00"}
    assert client.post("/api/outages/", body, content_type="application/json").status_code == 403
    client.force_login(technician_user)
    created = client.post("/api/outages/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["reference"].startswith("OUT-") and data["ended_at"] is None
    bad = client.patch(
        f"/api/outages/{data['id']}/",
        {"ended_at": "2026-12-01T08:00:00+02:00"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    client.force_login(staff_user)
    listed = client.get("/api/outages/?open=true").json()
    assert [row["id"] for row in listed["results"]] == [data["id"]]
    assert client.delete(f"/api/outages/{data['id']}/").status_code in (403, 405)
