"""Every absolute link the desk builds away from a request follows one setting, SITE_URL: `make run` sets it
to the address it serves, and `check --deploy` insists on it in production."""

import io
import re
import subprocess
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.checks import run_checks
from django.core.management.base import CommandError
from django.urls import reverse

from common.addresses import absolute_url
from incidents.notifications import rating_url, ticket_url
from reports.models import ReportRun
from reports.services import run_url
from servicedesk.management.commands import rundesk
from sites.labels import qr_svg
from slas import reviews
from tests.factories import AssetFactory, ServiceLevelAgreementFactory, TicketFactory, deliver_outbox

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def start_rundesk(monkeypatch, port="8101"):
    """rundesk's own start as `make run` runs it (PORT=8101), with its three children faked: returns the argv
    and environment each child was started with."""
    monkeypatch.setattr(django_settings, "SITE_URL", django_settings.SITE_URL)  # restored afterwards
    monkeypatch.setattr(django_settings, "DEVELOPMENT", True)
    spawned = []

    class Child:
        returncode = 0

        def __init__(self, argv, **kwargs):
            spawned.append((argv, dict(rundesk.os.environ)))

        def poll(self):
            return 0  # stops at once: rundesk then stops the others and says so

        def send_signal(self, signum):
            pass

        def wait(self, timeout=None):
            return 0

    monkeypatch.setattr(rundesk, "call_command", lambda *args, **kwargs: None)
    monkeypatch.setattr(
        rundesk, "subprocess", SimpleNamespace(Popen=Child, TimeoutExpired=subprocess.TimeoutExpired)
    )
    with pytest.raises(CommandError, match="stopped unexpectedly"):
        rundesk.Command(stdout=io.StringIO()).handle(port=port, host="127.0.0.1")
    return spawned


def test_make_run_on_another_port_links_to_that_port(monkeypatch, signed_in, technician_user):
    monkeypatch.delenv("SITE_URL", raising=False)

    spawned = start_rundesk(monkeypatch, port="8101")

    # Web, worker and beat all inherit the served address, whoever of them builds the link.
    assert [env["SITE_URL"] for argv, env in spawned] == ["http://127.0.0.1:8101"] * 3
    assert "127.0.0.1:8101" in spawned[0][0]  # runserver serves that very address
    ticket = TicketFactory()
    asset = AssetFactory(asset_tag="MLM-PRN-0042")
    assert ticket_url(ticket) == f"http://127.0.0.1:8101/tickets/{ticket.pk}/"
    assert rating_url(ticket, score=5).startswith("http://127.0.0.1:8101/")
    labels = signed_in(technician_user).get(reverse("sites:site_labels", args=[asset.site.pk])).content
    assert qr_svg("http://127.0.0.1:8101/a/MLM-PRN-0042") in labels.decode()


def test_a_site_url_set_by_hand_wins_over_the_served_address(monkeypatch):
    monkeypatch.setenv("SITE_URL", "http://desk.mbashe.lan:8101")

    spawned = start_rundesk(monkeypatch, port="8101")

    assert django_settings.SITE_URL == "http://desk.mbashe.lan:8101"
    assert {env["SITE_URL"] for argv, env in spawned} == {"http://desk.mbashe.lan:8101"}


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "http://127.0.0.1:8101"),
        ("localhost", "http://localhost:8101"),
        ("::1", "http://[::1]:8101"),
    ],
)
def test_the_served_address(host, expected):
    assert rundesk.served_address(host, "8101") == expected


def test_a_wildcard_bind_links_to_the_machines_name():
    assert rundesk.served_address("0.0.0.0", "8101") == f"http://{rundesk.socket.gethostname()}:8101"  # noqa: S104


def test_the_makefile_passes_port_to_rundesk_and_leaves_debug_off():
    run = re.search(r"^run:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), flags=re.MULTILINE).group(1)
    assert "DEVELOPMENT=true" in run and "PORT=$(PORT)" in run and "rundesk" in run
    assert "DEBUG=" not in run


def test_every_mail_link_follows_site_url(settings, signed_in, staff_user, client):
    settings.SITE_URL = "https://servicedesk.mbashe.gov.za"
    ticket = TicketFactory()
    run = ReportRun.objects.create(month=date(2026, 10, 1), version=1)
    sla = ServiceLevelAgreementFactory(review_date=date(2026, 11, 30))

    assert ticket_url(ticket).startswith("https://servicedesk.mbashe.gov.za/tickets/")
    assert rating_url(ticket).startswith("https://servicedesk.mbashe.gov.za/")
    assert run_url(run) == f"https://servicedesk.mbashe.gov.za/reports/runs/{run.pk}/"
    assert "https://servicedesk.mbashe.gov.za/admin/slas/" in reviews._body(sla, date(2026, 11, 24))
    # The password-reset link too, whatever Host header the request that asked for it carried.
    client.post(reverse("password_reset"), {"email": staff_user.email}, HTTP_HOST="localhost")
    deliver_outbox()
    assert re.search(r"https://servicedesk\.mbashe\.gov\.za/accounts/reset/\S+/", mail.outbox[-1].body)


def test_an_api_answer_links_to_the_address_the_client_used(rf):
    request = rf.get("/api/", HTTP_HOST="localhost")
    assert absolute_url("/api/tickets/", request=request) == "http://localhost/api/tickets/"


# rundesk sets SITE_URL to the address it serves (and prints it); it builds no link.
RUNDESK = "servicedesk/management/commands/rundesk.py"


def test_no_other_module_builds_absolute_links():
    """One place: common.addresses reads SITE_URL and builds absolute URLs; nothing else does."""
    tracked = subprocess.run(
        ["git", "ls-files", "*.py", "*.html", "*.txt"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    offenders = []
    for name in tracked:
        if name.startswith(("tests/", "bench/")) or name in {
            "common/addresses.py",
            "servicedesk/settings.py",
            RUNDESK,
            "servicedesk/checks.py",  # checks the setting itself
        }:
            continue
        text = (ROOT / name).read_text()
        if re.search(r"settings\.SITE_URL|build_absolute_uri|\{\{ *protocol *\}\}|\{\{ *domain *\}\}", text):
            offenders.append(name)
    assert offenders == []


# --- check --deploy ------------------------------------------------------------------------------------


def deploy_findings():
    return {message.id: message.msg for message in run_checks(include_deployment_checks=True)}


def test_deploy_check_insists_on_site_url(settings):
    settings.SITE_URL = ""
    findings = deploy_findings()
    assert "servicedesk.E002" in findings
    assert "SITE_URL is not set" in findings["servicedesk.E002"]


@pytest.mark.parametrize("address", ["http://127.0.0.1:8000", "https://localhost", "http://0.0.0.0:8000"])
def test_deploy_check_refuses_this_machines_own_address(settings, address):
    settings.SITE_URL = address
    assert "servicedesk.E003" in deploy_findings()


def test_deploy_check_warns_of_plain_http_and_a_host_it_does_not_answer(settings):
    settings.SITE_URL, settings.ALLOWED_HOSTS = "http://desk.mbashe.gov.za", ["servicedesk.mbashe.gov.za"]
    findings = deploy_findings()
    assert {"servicedesk.W001", "servicedesk.W002"} <= set(findings)
    assert "servicedesk.E003" not in findings


def test_a_public_https_site_url_passes(settings):
    settings.SITE_URL, settings.ALLOWED_HOSTS = (
        "https://servicedesk.mbashe.gov.za",
        ["servicedesk.mbashe.gov.za"],
    )
    assert not [key for key in deploy_findings() if key.startswith("servicedesk.")]


@pytest.mark.parametrize(
    "address", ["servicedesk.mbashe.gov.za", "https://desk.example/sd", "ftp://desk.example"]
)
def test_a_malformed_site_url_fails_every_check(settings, address):
    settings.SITE_URL = address
    assert "servicedesk.E001" in {message.id for message in run_checks()}
