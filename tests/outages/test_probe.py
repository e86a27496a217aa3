"""The link probe against a local listener that the test stops and starts."""

import socket

import pytest

from outages.models import LinkProbe, Outage
from outages.probe import probe_once
from sites.models import Asset, AssetType, Site

pytestmark = pytest.mark.django_db


class Listener:
    def __init__(self):
        self.sock = None
        self.port = None

    def start(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", self.port or 0))
        self.port = self.sock.getsockname()[1]
        self.sock.listen(16)

    def stop(self):
        self.sock.close()


@pytest.fixture
def listener():
    found = Listener()
    found.start()
    yield found
    found.stop()


def test_the_probe_opens_and_ends_with_its_thresholds(listener):
    willowvale = Site.objects.filter(name__icontains="Willowvale").order_by("pk").first()
    link = Asset.objects.create(
        asset_tag="MLM-LNK-9002",
        type=AssetType.NETWORK_LINK,
        site=willowvale,
        far_site=Site.objects.get(name="Dutywa Main Building"),
        connection_type="wireless",
    )
    probe = LinkProbe.objects.create(
        asset=link, host="127.0.0.1", port=listener.port, failures_to_open=3, successes_to_close=2
    )
    assert probe_once(probe) == ""
    listener.stop()
    assert [probe_once(probe) for _ in range(2)] == ["", ""]  # two lost checks are not an outage
    assert not Outage.objects.exists()
    assert probe_once(probe) == "opened"
    outage = Outage.objects.get()
    assert outage.site == willowvale and outage.asset == link and outage.source == "probe"
    assert probe_once(probe) == ""  # still down: the same outage
    assert Outage.objects.count() == 1

    listener.start()
    assert probe_once(probe) == ""
    assert probe_once(probe) == "ended"
    outage.refresh_from_db()
    assert outage.ended_at is not None
    probe.refresh_from_db()
    assert probe.successes_in_a_row == 2 and probe.last_result == "connected"
