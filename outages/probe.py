"""The built-in link probe (LinkProbe): a TCP connect per link, thresholds before opening or ending."""

from __future__ import annotations

import socket

from django.db import transaction
from django.utils import timezone

from .models import LinkProbe, Outage, OutageCause, OutageKind, OutageScope, OutageSource
from .services import outage_end, outage_record

CONNECT_TIMEOUT = 3.0


def reachable(host: str, port: int, timeout: float = CONNECT_TIMEOUT) -> tuple[bool, str]:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True, "connected"
    except OSError as error:
        return False, (error.strerror or type(error).__name__)[:200]


def probe_once(probe: LinkProbe) -> str:
    """Check one link and act on the thresholds: "opened", "ended" or "" (no change)."""
    ok, result = reachable(probe.host, probe.port)
    now = timezone.now()
    with transaction.atomic():
        probe = LinkProbe.objects.select_for_update().select_related("asset").get(pk=probe.pk)
        probe.last_checked_at, probe.last_result = now, result
        if ok:
            probe.successes_in_a_row += 1
            probe.failures_in_a_row = 0
        else:
            probe.failures_in_a_row += 1
            probe.successes_in_a_row = 0
        probe.save()
        open_outage = Outage.objects.filter(fingerprint=probe.fingerprint, ended_at__isnull=True).first()
        if not ok and open_outage is None and probe.failures_in_a_row >= probe.failures_to_open:
            link = probe.asset
            outage_record(
                scope=OutageScope.LINK,
                kind=OutageKind.UNPLANNED,
                cause=OutageCause.LINK_DOWN,
                asset=link,
                site_id=link.site_id,
                source=OutageSource.PROBE,
                fingerprint=probe.fingerprint,
                detail=f"{probe.host}:{probe.port} did not answer {probe.failures_in_a_row} times: {result}",
                # Down since the first failed check of the run, not since the one that crossed the threshold.
                started_at=now - (probe.failures_in_a_row - 1) * timezone.timedelta(minutes=1),
            )
            return "opened"
        if ok and open_outage is not None and probe.successes_in_a_row >= probe.successes_to_close:
            outage_end(open_outage, at=now)
            return "ended"
    return ""


def probes_run() -> dict[str, int]:
    counts = {"checked": 0, "opened": 0, "ended": 0}
    for probe in LinkProbe.objects.filter(enabled=True):
        outcome = probe_once(probe)
        counts["checked"] += 1
        if outcome:
            counts[outcome] += 1
    return counts
