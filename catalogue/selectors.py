"""Queries that read the catalogue."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from .models import AssetTypeService, Lifecycle, RequestField, Service, ServiceCategory


def services_for_catalogue(*, q: str = "", statuses=(Lifecycle.LIVE,)) -> QuerySet[Service]:
    """Services in the given lifecycle states, matched by words in name, description, keywords or category."""
    services = Service.objects.filter(status__in=statuses).select_related("category", "support_group")
    for word in q.split()[:8]:
        services = services.filter(
            Q(name__icontains=word)
            | Q(description__icontains=word)
            | Q(keywords__icontains=word)
            | Q(category__name__icontains=word)
        )
    return services.order_by("category__display_order", "category__name", "name")


def choosable_services() -> QuerySet[Service]:
    """Services that can be chosen on a new ticket: live ones only."""
    return services_for_catalogue()


def service_with_questions(service_id: int) -> Service:
    return (
        Service.objects.select_related("category", "support_group", "owner")
        .prefetch_related(
            Prefetch("request_fields", queryset=RequestField.objects.order_by("display_order", "id"))
        )
        .prefetch_related("critical_periods")
        .get(pk=service_id)
    )


def categories_with_live_services() -> QuerySet[ServiceCategory]:
    return ServiceCategory.objects.filter(services__status=Lifecycle.LIVE).distinct()


def service_id_for_asset_type(asset_type: str) -> int | None:
    """The live service a kind of equipment belongs to (AssetTypeService), None when none is set."""
    return (
        AssetTypeService.objects.filter(asset_type=asset_type, service__status=Lifecycle.LIVE)
        .values_list("service_id", flat=True)
        .first()
    )
