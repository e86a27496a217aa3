import pytest

from bench.mail_servers import PASSWORD, USER, Dovecot, SmtpReceiver, dovecot_available
from common import access
from mailin.models import Mailbox
from sites.models import Site
from tests.factories import ServiceFactory, SupportGroupFactory, UserFactory


@pytest.fixture(scope="session")
def _dovecot_installed():
    if not dovecot_available():
        pytest.fail("Dovecot is not installed: apt-get install dovecot-imapd (.ci/run installs it)")


@pytest.fixture
def dovecot(_dovecot_installed):
    server = Dovecot()
    server.start()
    yield server
    server.close()


@pytest.fixture
def smtp(settings):
    receiver = SmtpReceiver()
    receiver.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", receiver.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield receiver
    receiver.stop()


@pytest.fixture
def mail_settings(settings):
    settings.MAIL_INTERNAL_DOMAINS = ["mbashe.gov.za"]
    settings.DEFAULT_FROM_EMAIL = "ICT Service Desk <servicedesk@mbashe.gov.za>"
    settings.MAIL_REPLY_TO = "ict@mbashe.gov.za"
    return settings


@pytest.fixture
def desk_service(db):
    return ServiceFactory(
        name="End-user computing", offers_requests=True, support_group=SupportGroupFactory()
    )


@pytest.fixture
def mailbox(db, desk_service, mail_settings, monkeypatch):
    monkeypatch.setenv("MAILBOX_TEST_SECRET", PASSWORD)
    return Mailbox.objects.create(
        name="ICT desk",
        address="ict@mbashe.gov.za",
        host="127.0.0.1",
        port=0,
        use_ssl=False,
        username=USER,
        secret_env="MAILBOX_TEST_SECRET",
        service=desk_service,
        site=Site.objects.get(name="Dutywa Main Building"),
    )


@pytest.fixture
def imap_mailbox(mailbox, dovecot):
    mailbox.port = dovecot.port
    mailbox.save()
    return mailbox


@pytest.fixture
def nomsa(db):
    site = Site.objects.exclude(name="Dutywa Main Building").order_by("pk").first()
    return UserFactory(username="nomsa", email="Nomsa.Dlamini@mbashe.gov.za", role=access.STAFF, site=site)


@pytest.fixture
def sipho(db):
    return UserFactory(username="sipho", email="sipho@mbashe.gov.za", role=access.TECHNICIAN)
