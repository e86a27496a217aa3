"""/api/reports/: the KPIs (the same dict the dashboard and the report read) and the report runs.

Only the ICT Manager and Admin roles (the access table, common/access.py); anyone else signed in gets a
403. Registered on the project's router in servicedesk/api.py as "reports/kpis" and "reports/runs".
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from catalogue.models import SupportGroup
from common.addresses import absolute_url
from common.api_errors import Conflict
from sites.models import Site, Town

from . import kpis, services
from .models import ReportRun
from .periods import month_period, parse_month, this_month


class KpiQuerySerializer(serializers.Serializer):
    month = serializers.CharField(required=False, help_text="YYYY-MM; this month so far when left out.")
    town = serializers.ChoiceField(choices=Town.choices, required=False)
    site = serializers.PrimaryKeyRelatedField(queryset=Site.objects.all(), required=False)
    group = serializers.PrimaryKeyRelatedField(queryset=SupportGroup.objects.all(), required=False)

    def validate_month(self, value: str):
        try:
            return month_period(parse_month(value))
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None


class KpiCountingSerializer(serializers.Serializer):
    """The answer while a month and scope nobody asked for before is counted for the first time."""

    status = serializers.CharField(help_text="counting")
    detail = serializers.CharField()
    period = serializers.DictField()


class KpiViewSet(viewsets.ViewSet):
    """GET /api/reports/kpis/?month=2026-10[&town=&site=&group=]: every KPI of the month, as last counted
    (`generated_at`). A month and scope nobody asked for before answers 202 with Retry-After while it is
    counted for the first time."""

    @extend_schema(
        parameters=[
            OpenApiParameter("month", str, description="YYYY-MM; this month so far when left out."),
            OpenApiParameter("town", str, enum=Town.values),
            OpenApiParameter("site", int),
            OpenApiParameter("group", int),
        ],
        responses={200: OpenApiTypes.OBJECT, 202: KpiCountingSerializer},
    )
    def list(self, request):
        query = KpiQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        period = data.get("month") or month_period(this_month())
        scope = kpis.Scope(
            town=data.get("town", ""),
            site_id=data["site"].pk if data.get("site") else None,
            group_id=data["group"].pk if data.get("group") else None,
        )
        stored = kpis.stored_report(period, scope)  # read, never counted in a request (docs/kpis.md)
        if stored.report is None:
            body = {
                "status": "counting",
                "detail": "These figures are being counted for the first time; ask again in a minute.",
                "period": period.as_dict(),
            }
            return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Retry-After": "60"})
        return Response(stored.report)


class ReportRunSerializer(serializers.ModelSerializer):
    month = serializers.SerializerMethodField()
    # Plain text in the schema: an enum would collide with the other models' "status" enums.
    status = serializers.CharField(read_only=True, help_text="queued, running, done or failed.")
    requested_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    signed_off_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    page = serializers.SerializerMethodField()
    files = serializers.SerializerMethodField()

    class Meta:
        model = ReportRun
        fields = [
            "id",
            "month",
            "version",
            "automatic",
            "status",
            "progress",
            "progress_message",
            "error",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
            "signed_off_by",
            "signed_off_at",
            "commentary",
            "page",
            "files",
        ]
        read_only_fields = fields

    def get_month(self, run: ReportRun) -> str:
        return run.month_key

    def get_page(self, run: ReportRun) -> str:
        return self._absolute(reverse("reports:run_detail", args=[run.pk]))

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_files(self, run: ReportRun) -> dict[str, str | None]:
        ready = run.status == ReportRun.Status.DONE
        return {
            kind: self._absolute(reverse("reports:run_download", args=[run.pk, kind]))
            if ready and getattr(run, kind)
            else None
            for kind in ("pdf", "xlsx", "csv")
        }

    def _absolute(self, path: str) -> str:
        return absolute_url(path, request=self.context.get("request"))


class ReportRunDetailSerializer(ReportRunSerializer):
    class Meta(ReportRunSerializer.Meta):
        fields = [*ReportRunSerializer.Meta.fields, "snapshot"]
        read_only_fields = fields


class ReportRunRequestSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM of a month that has ended.")

    def validate_month(self, value: str):
        try:
            return parse_month(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None


class ReportRunViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Report runs, newest month first; POST {"month": "2026-10"} builds a new version (202)."""

    queryset = ReportRun.objects.select_related("requested_by", "signed_off_by").order_by(
        "-month", "-version"
    )
    filter_backends: list = []

    def get_serializer_class(self):
        if self.action == "create":
            return ReportRunRequestSerializer
        return ReportRunDetailSerializer if self.action == "retrieve" else ReportRunSerializer

    @extend_schema(request=ReportRunRequestSerializer, responses={202: ReportRunSerializer})
    def create(self, request, *args, **kwargs):
        incoming = ReportRunRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        run = services.report_run_request(month=incoming.validated_data["month"], by=request.user)
        body = ReportRunSerializer(run, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={202: ReportRunSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        """Build a failed run again, or one whose build stopped moving (its worker gone); 409 otherwise."""
        try:
            run = services.report_run_retry(run=self.get_object(), by=request.user)
        except ValidationError as refused:
            raise Conflict(" ".join(refused.messages)) from None
        body = ReportRunSerializer(run, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_202_ACCEPTED)
