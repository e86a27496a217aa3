"""/api/outages/ (the desk records and corrects outages through outages.services) and the Alertmanager
webhook (monitoring opens and closes outages; authenticated by a shared token, idempotent by fingerprint)."""

from __future__ import annotations

import hmac

import django_filters
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.authentication import get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from . import monitoring, services
from .models import Outage


class OutageSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)

    class Meta:
        model = Outage
        fields = [
            "id",
            "reference",
            "title",
            "scope",
            "kind",
            "cause",
            "detail",
            "site",
            "asset",
            "service",
            "supplier",
            "major_incident",
            "started_at",
            "ended_at",
            "expected_end_at",
            "source",
        ]
        read_only_fields = ["source"]


class OutageFilter(django_filters.FilterSet):
    open = django_filters.BooleanFilter(field_name="ended_at", lookup_expr="isnull", label="Still open")
    between_from = django_filters.IsoDateTimeFilter(method="_noop", label="Overlapping from")
    between_to = django_filters.IsoDateTimeFilter(method="_noop", label="Overlapping until")

    class Meta:
        model = Outage
        fields = ["site", "kind", "scope", "asset", "service"]

    def _noop(self, queryset, name, value):
        return queryset  # applied together in filter_queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        start, end = self.form.cleaned_data.get("between_from"), self.form.cleaned_data.get("between_to")
        if start:
            queryset = queryset.filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start))
        if end:
            queryset = queryset.filter(started_at__lt=end)
        return queryset


class OutageViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Outages of sites, their power, links and services. Everyone signed in may read them (staff see the
    banner for their site); the service desk records and corrects them. No delete: correct it instead."""

    queryset = Outage.objects.select_related("site", "service")
    serializer_class = OutageSerializer
    filterset_class = OutageFilter
    ordering_fields = ["started_at", "ended_at"]
    ordering = ["-started_at", "-pk"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = services.outage_record(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.outage_correct(
            serializer.instance, by=self.request.user, **serializer.validated_data
        )


class AlertmanagerWebhook(APIView):
    """POST /api/outages/alertmanager/: Prometheus Alertmanager's webhook (version 4). A firing alert whose
    labels name a site (`site`, its name) or a link (`asset_tag`) opens an outage, once per fingerprint; a
    resolved one ends it. Authorization: Bearer OUTAGES_WEBHOOK_TOKEN (Alertmanager's http_config)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]  # the shared token below is the credential

    def get_authenticate_header(self, request):
        return 'Bearer realm="alertmanager"'  # a wrong token is a 401, as Alertmanager expects

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={
            200: inline_serializer(
                "AlertResults", {"results": serializers.ListField(child=serializers.CharField())}
            ),
            400: OpenApiResponse(description="Not Alertmanager's JSON (no list of alerts)."),
            401: OpenApiResponse(description="No valid webhook token (OUTAGES_WEBHOOK_TOKEN)."),
        },
        description="Alertmanager's webhook body (version 4); each alert's result in order.",
    )
    def post(self, request):
        expected = settings.OUTAGES_WEBHOOK_TOKEN
        given = get_authorization_header(request).decode("latin-1").removeprefix("Bearer ").strip()
        if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            raise AuthenticationFailed("A valid webhook token is required.")
        alerts = request.data.get("alerts") if isinstance(request.data, dict) else None
        if not isinstance(alerts, list):
            raise serializers.ValidationError({"alerts": "Alertmanager's JSON has a list of alerts."})
        return Response(monitoring.alerts_receive(alerts))


class AvailabilityViewSet(viewsets.ViewSet):
    """GET /api/availability/?month=YYYY-MM: per site, network link and service, the month's availability
    % over its agreed hours, failures, MTBF, MTTR and load-shedding hours; per supplier, its unplanned
    outages restored within its underpinning contract's restore time (outages/availability.py)."""

    @extend_schema(
        parameters=[OpenApiParameter("month", str, description="YYYY-MM; this month when left out.")],
        responses={
            200: inline_serializer(
                "MonthAvailability",
                {
                    "month": serializers.CharField(),
                    "sites": serializers.ListField(child=serializers.DictField()),
                    "links": serializers.ListField(child=serializers.DictField()),
                    "services": serializers.ListField(child=serializers.DictField()),
                    "suppliers": serializers.ListField(child=serializers.DictField()),
                },
            )
        },
    )
    def list(self, request):
        from .availability import month_availability

        text = request.query_params.get("month") or timezone.localdate().strftime("%Y-%m")
        try:
            year, month = (int(part) for part in text.split("-"))
            if not (2000 <= year <= 2100 and 1 <= month <= 12):
                raise ValueError
        except ValueError:
            raise serializers.ValidationError({"month": "Give the month as YYYY-MM, e.g. 2026-11."}) from None
        found = month_availability(year, month)
        return Response(
            {
                "month": f"{year:04d}-{month:02d}",
                **{
                    group: [row.as_dict() for row in found[group]]
                    for group in ("sites", "links", "services", "suppliers")
                },
            }
        )
