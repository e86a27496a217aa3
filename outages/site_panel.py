"""The site page's availability panel (registered with sites.panels): the month so far, read from
outages.availability like the dashboard, the API and the ManCo report (no arithmetic of its own)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from sites.panels import SitePanel

from .availability import month_availability


def site_availability_panel(user: Any, site: Any) -> SitePanel:
    today = timezone.localdate()
    found = month_availability(today.year, today.month, site_id=site.pk)
    return SitePanel(
        "outages/includes/site_availability.html",
        {"month": today, "site": found["sites"][0] if found["sites"] else None, "links": found["links"]},
    )
