from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from common import access
from common.access import access_required

from . import selectors
from .filters import AssetFilter, SiteFilter
from .labels import label_sheets
from .models import Asset, Site
from .panels import site_panels

ASSETS_PER_PAGE = 25


def _site_or_404(site_id: int) -> Site:
    try:
        return selectors.site_detail(site_id)
    except Site.DoesNotExist:
        raise Http404("No such site.") from None


def _filtered(request, asset_filter) -> bool:
    return any(request.GET.get(name) for name in asset_filter.form.fields)


@access_required
@require_safe
def site_list(request):
    site_filter = SiteFilter(request.GET, queryset=selectors.site_list())
    sites = site_filter.qs
    return render(
        request,
        "sites/site_list.html",
        {
            "filter": site_filter,
            "sites": sites,
            "totals": selectors.site_totals(sites),
            "filtered": any(request.GET.get(name) for name in site_filter.form.fields),
        },
    )


@access_required
@require_safe
def site_detail(request, site_id: int):
    """A site: its Table 1 figures, buildings, assets counted by type and status, and its assets."""
    site = _site_or_404(site_id)
    asset_filter = AssetFilter.for_site(request.GET, site=site, queryset=selectors.asset_list(site=site))
    return render(
        request,
        "sites/site_detail.html",
        {
            "site": site,
            "buildings": selectors.site_buildings(site),
            "summary": selectors.site_asset_summary(site),
            "filter": asset_filter,
            "filtered": _filtered(request, asset_filter),
            "page": Paginator(asset_filter.qs, ASSETS_PER_PAGE).get_page(request.GET.get("page")),
            "can_print_labels": access.may_open(request.user, "sites:site_labels"),
            # What apps above sites add (outages: the site's availability this month).
            "site_panels": site_panels(request.user, site),
        },
    )


@access_required
@require_safe
def asset_list(request):
    """Find an asset by tag or serial (an exact tag opens it), or browse the register with filters."""
    # PostgreSQL text cannot hold NUL: a ?q= with one was a 500.
    q = request.GET.get("q", "").replace("\x00", "").strip()
    if q:
        tag = selectors.asset_exact_tag(q)
        if tag:
            return redirect("sites:asset_detail", asset_tag=tag)
    asset_filter = AssetFilter(request.GET, queryset=selectors.asset_list())
    return render(
        request,
        "sites/asset_list.html",
        {
            "filter": asset_filter,
            "filtered": _filtered(request, asset_filter),
            "q": q,
            "page": Paginator(asset_filter.qs, ASSETS_PER_PAGE).get_page(request.GET.get("page")),
        },
    )


@access_required
@require_safe
def asset_detail(request, asset_tag: str):
    try:
        asset = selectors.asset_detail(asset_tag)
    except Asset.DoesNotExist:
        raise Http404("No asset has this tag.") from None
    return render(
        request,
        "sites/asset_detail.html",
        {
            "asset": asset,
            "warranty_state": asset.warranty_state(timezone.localdate()),
            "can_edit": access.may(request.user, "asset.manage"),
        },
    )


@access_required
@require_safe
def asset_qr(request, asset_tag: str):
    """Where an asset label's QR code leads (/a/<tag>): "log a ticket about this asset", with the asset
    and its site filled in, so a staff member at a printer or phone reports a fault in seconds."""
    tag = selectors.asset_exact_tag(asset_tag)
    if tag is None:
        raise Http404("No asset has this tag.")
    # By URL name, not by import: incidents is to the right of sites (docs/architecture.md).
    return redirect(f"{reverse('ticket_new')}?{urlencode({'asset': tag})}")


@access_required
@require_safe
def site_labels(request, site_id: int):
    """A printable A4 sheet of the site's asset labels (everything not retired, narrowed by the filters)."""
    site = _site_or_404(site_id)
    asset_filter = AssetFilter.for_site(request.GET, site=site, queryset=selectors.labels_for_site(site))
    return render(
        request,
        "sites/site_labels.html",
        {"site": site, "filter": asset_filter, "sheets": label_sheets(request, asset_filter.qs)},
    )
