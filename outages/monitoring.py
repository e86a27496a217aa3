"""Outages from monitoring: Alertmanager's alerts (outages/api.py) and the built-in probe."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from sites.models import Asset, Site

from .models import Outage, OutageCause, OutageKind, OutageScope, OutageSource
from .services import outage_end, outage_record


def _when(value: Any) -> datetime | None:
    parsed = parse_datetime(value) if isinstance(value, str) else None
    # Alertmanager sends "0001-01-01T00:00:00Z" for "not ended".
    if parsed is None or parsed.year < 2000:
        return None
    return parsed


def alert_receive(alert: dict) -> str:
    """One alert: "opened", "ended", "known" (already open or already ended), or why it was ignored."""
    fingerprint = str(alert.get("fingerprint") or "")[:120]
    found_labels = alert.get("labels")
    labels: dict = found_labels if isinstance(found_labels, dict) else {}
    if not fingerprint:
        return "ignored: no fingerprint"
    status = alert.get("status")
    if status == "resolved":
        outage = Outage.objects.filter(fingerprint=fingerprint, ended_at__isnull=True).first()
        if outage is None:
            return "known"
        ended = _when(alert.get("endsAt")) or timezone.now()
        outage_end(outage, at=max(ended, outage.started_at + timedelta(seconds=1)))
        return "ended"
    if status != "firing":
        return "ignored: status is neither firing nor resolved"
    if Outage.objects.filter(fingerprint=fingerprint, ended_at__isnull=True).exists():
        return "known"
    asset = (
        Asset.objects.filter(asset_tag=labels.get("asset_tag", "")).first()
        if labels.get("asset_tag")
        else None
    )
    site = Site.objects.filter(name=labels.get("site", "")).first() if labels.get("site") else None
    if asset is None and site is None:
        return "ignored: the labels name no known site or asset_tag"
    fields: dict[str, Any] = {
        "kind": OutageKind.UNPLANNED,
        "source": OutageSource.ALERTMANAGER,
        "fingerprint": fingerprint,
        "started_at": _when(alert.get("startsAt")) or timezone.now(),
        "detail": str((alert.get("annotations") or {}).get("summary") or labels.get("alertname") or "")[
            :2000
        ],
    }
    if asset is not None and asset.is_link:
        fields.update(scope=OutageScope.LINK, asset=asset, cause=OutageCause.LINK_DOWN)
        if site is not None:
            fields["site"] = site
    else:
        fields.update(scope=OutageScope.SITE, site=site or (asset.site if asset else None))
    try:
        with transaction.atomic():
            outage_record(**fields)
    except IntegrityError:
        return "known"  # the same alert, sent twice at once: the other request opened it
    except ValidationError as error:
        return f"ignored: {'; '.join(error.messages)}"
    return "opened"


def alerts_receive(alerts: list) -> dict[str, list[str]]:
    return {
        "results": [alert_receive(a) if isinstance(a, dict) else "ignored: not an object" for a in alerts]
    }
