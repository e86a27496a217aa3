"""`make run` as a new user meets it: the product's own 404 and 500 pages, an icon on every page (admin
too), and no page that fetches anything from outside the machine."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.urls import path

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=20) as answer:  # noqa: S310 (our own server)
            return answer.status, answer.headers.get("Content-Type", ""), answer.read().decode()
    except urllib.error.HTTPError as answer:
        return answer.code, answer.headers.get("Content-Type", ""), answer.read().decode()


@pytest.fixture
def make_run_server(tmp_path):
    """runserver started as `make run` starts it (DEVELOPMENT=true, DEBUG unset), on this test's database."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "WHITENOISE_USE_FINDERS"}}
    database = connection.settings_dict
    if connection.vendor == "postgresql":
        where = f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
        env["DATABASE_URL"] = f"postgres://{database['USER']}@{where}/{database['NAME']}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env.update(DEVELOPMENT="true", VAR_DIR=str(tmp_path))
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)  # noqa: S310
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"runserver stopped: {server.stderr.read()}")
                time.sleep(0.5)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=15)


def test_make_run_shows_the_products_own_404_and_serves_its_static_files(make_run_server):
    status, _, body = fetch(f"{make_run_server}/no-such-page/")
    assert status == 404
    assert "There is nothing at this address" in body
    assert "URLconf" not in body and "Django tried these URL patterns" not in body
    css = re.search(r'href="(/static/css/servicedesk\.css)"', body).group(1)
    assert fetch(make_run_server + css)[0] == 200
    icon = fetch(f"{make_run_server}/static/img/favicon.svg")
    assert icon[:2] == (200, "image/svg+xml")


def test_a_server_error_shows_the_products_own_500_page(settings):
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong on our side" in body
    assert "/static/css/servicedesk.css" in body and "/static/img/favicon.svg" in body
    assert "Traceback" not in body and "RuntimeError" not in body


def test_favicon_ico_is_the_desks_own_icon(client):
    response = client.get("/favicon.ico", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].endswith("/static/img/favicon.svg")


def test_every_admin_page_names_the_icon(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    for url in ("/admin/", "/admin/slas/servicelevelagreement/", "/admin/slas/servicelevelagreement/add/"):
        body = client.get(url).content.decode()
        assert 'rel="icon" href="/static/img/favicon.svg"' in body, url
    assert 'rel="icon" href="/static/img/favicon.svg"' in Client().get("/admin/login/").content.decode()


@pytest.mark.parametrize("url", ["/api/redoc/", "/api/docs/", "/api/"])
def test_the_api_pages_name_nothing_outside_the_machine(client, url):
    client.force_login(UserFactory())
    response = client.get(url, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    body = response.content.decode()
    assert "googleapis" not in body and "gstatic" not in body and "jsdelivr" not in body
    if url != "/api/":
        # And the browser is told to load from this server only, whatever the bundles ask for.
        assert response["Content-Security-Policy"].startswith("default-src 'self';")
        assert 'lang="en"' in body
    # What a browser fetches by itself: stylesheets, icons, scripts and images (links are only followed).
    fetched = re.findall(r'<(?:link|script|img)\b[^>]*?\b(?:src|href)="([^"]+)"', body)
    assert fetched
    assert [url for url in fetched if not url.startswith("/") or url.startswith("//")] == []
