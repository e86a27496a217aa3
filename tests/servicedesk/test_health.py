"""/healthz: 200 with the state of database and broker; 503 naming the part that is down."""

import pytest
from django.utils import timezone

from servicedesk.celery import app as celery_app
from servicedesk.models import Heartbeat
from servicedesk.tasks import heartbeat

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: the same answer a stopped Redis gives.
STOPPED_REDIS = "redis://127.0.0.1:1/0"


def test_healthy(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["failed"] == []
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True
    assert response["Cache-Control"].startswith("max-age=0")


def test_broker_down_is_503_naming_the_broker(client, monkeypatch):
    # Celery reads CELERY_BROKER_URL from the environment before its own settings.
    monkeypatch.setenv("CELERY_BROKER_URL", STOPPED_REDIS)
    assert celery_app.conf.broker_url == STOPPED_REDIS

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["broker"]
    assert body["broker"]["ok"] is False
    assert body["database"]["ok"] is True
    # Public endpoint: the kind of failure, never the internal host names.
    assert "127.0.0.1" not in response.content.decode()


def test_health_is_public_but_read_only(client):
    assert client.post("/healthz").status_code == 405


def test_heartbeat_is_reported_and_idempotent(client):
    heartbeat()
    heartbeat()

    assert Heartbeat.objects.count() == 1
    beat = client.get("/healthz").json()["beat"]
    assert beat["ok"] is True


def test_stale_heartbeat_is_reported_without_failing_health(client):
    Heartbeat.objects.create(name="beat", beat_at=timezone.now() - timezone.timedelta(hours=1))

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["beat"]["ok"] is False
