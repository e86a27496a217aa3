from itertools import groupby

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from common.access import access_required

from . import selectors, targets
from .models import Lifecycle, Service


@access_required
@require_safe
def catalogue(request):
    """The published catalogue: live services by category, searchable; pipeline services as coming."""
    # PostgreSQL text cannot hold NUL: a ?q= with one was a 500.
    q = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    live = list(selectors.services_for_catalogue(q=q))
    # Response and fix times per priority, for all the services at once (a fixed number of queries).
    service_targets = targets.targets_for(service.pk for service in live)
    for service in live:
        service.service_targets = service_targets.get(service.pk)
    coming = list(selectors.services_for_catalogue(q=q, statuses=(Lifecycle.PIPELINE,)))
    by_category = [
        (category, list(services)) for category, services in groupby(live, key=lambda s: s.category)
    ]
    return render(
        request,
        "catalogue/catalogue.html",
        {"q": q, "by_category": by_category, "coming": coming, "live_count": len(live)},
    )


@access_required
@require_safe
def service_detail(request, service_id: int):
    try:
        service = selectors.service_with_questions(service_id)
    except Service.DoesNotExist:
        raise Http404("No such service.") from None
    # Only a live service makes promises: a pipeline one is not offered yet, a retired one no longer.
    service_targets = (
        targets.targets_for([service.pk]).get(service.pk) if service.status == Lifecycle.LIVE else None
    )
    return render(
        request, "catalogue/service_detail.html", {"service": service, "service_targets": service_targets}
    )
