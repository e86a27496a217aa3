"""Asset labels: what a printed label carries, and the QR code that opens the asset from a phone."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import segno
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString, mark_safe

from common.addresses import absolute_url

from .models import Asset

# A4 sheets of 3 x 8 labels, 70 x 37 mm each (the common 24-up label stock).
LABELS_PER_SHEET = 24


@dataclass(frozen=True)
class Label:
    asset: Asset
    qr_svg: SafeString


def asset_qr_path(asset_tag: str) -> str:
    """The short, stable path a label's QR code opens: /a/<tag> (the project mounts it at the root);
    /sites/a/<tag> stays routed too, so a label printed either way keeps working."""
    try:
        return reverse("asset_qr", kwargs={"asset_tag": asset_tag})
    except NoReverseMatch:
        return reverse("sites:asset_qr", kwargs={"asset_tag": asset_tag})


@lru_cache(maxsize=4096)
def qr_svg(data: str) -> SafeString:
    """An inline SVG QR code of `data` (no external resources, sized by CSS through its viewBox)."""
    svg = segno.make(data, error="m").svg_inline(border=2, omitsize=True, svgclass="qr-code")
    # Safe: segno draws the code as path data; the text it encodes is never written into the SVG, and
    # the tag in the URL is validated (capital letters, digits, dashes) and URL-quoted by reverse().
    return mark_safe(svg)  # noqa: S308


def label_sheets(request, assets) -> list[list[Label]]:
    """The assets' labels in sheets of LABELS_PER_SHEET, each QR code holding the asset's absolute URL.

    The URL is built from SITE_URL, not from the request: labels are printed from whatever address the
    technician used, but phones must open the public one."""
    labels = [Label(asset, qr_svg(absolute_url(asset_qr_path(asset.asset_tag)))) for asset in assets]
    return [labels[start : start + LABELS_PER_SHEET] for start in range(0, len(labels), LABELS_PER_SHEET)]
