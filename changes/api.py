"""/api/changes/: list, create, retrieve, partial update, transitions, incidents caused, conflicts and the
calendar, over the same services and selectors as the pages. Who may call each action is the access
table (common/access.py); Staff reach only the calendar, which shows them the approved changes at their
site."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from catalogue.models import Service
from incidents.models import Ticket
from sites.models import Asset, Site

from . import selectors, services
from .filters import ChangeFilter
from .models import Change, ChangeApproval, ChangeStatus, ChangeTemplate, ChangeType


class ApprovalSerializer(serializers.ModelSerializer):
    who = serializers.CharField(source="approver.username")
    when = serializers.DateTimeField(source="at")

    class Meta:
        model = ChangeApproval
        fields = ["who", "when", "decision", "note", "justification", "current"]


class ChangeSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    approvals = ApprovalSerializer(many=True, read_only=True)
    caused_incidents: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )
    fixes_problems: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        many=True,
        read_only=True,
        help_text="The problems (ids) that name this change as the one carrying their permanent fix.",
    )
    services = serializers.PrimaryKeyRelatedField(many=True, queryset=Service.objects.all(), required=False)
    sites = serializers.PrimaryKeyRelatedField(many=True, queryset=Site.objects.all(), required=False)
    assets = serializers.PrimaryKeyRelatedField(many=True, queryset=Asset.objects.all(), required=False)
    template = serializers.PrimaryKeyRelatedField(
        queryset=ChangeTemplate.objects.filter(active=True), required=False, allow_null=True
    )
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)

    class Meta:
        model = Change
        fields = [
            "id",
            "reference",
            "type",
            "status",
            "template",
            "summary",
            "reason",
            "likelihood",
            "impact",
            "risk",
            "services",
            "sites",
            "assets",
            "implementation_plan",
            "backout_plan",
            "test_plan",
            "planned_start",
            "planned_end",
            "interrupts_service",
            "service_transition",
            "implementer",
            "requested_by",
            "approvals",
            "outcome",
            "review",
            "implemented_at",
            "caused_incidents",
            "fixes_problems",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "risk",
            "outcome",
            "review",
            "implemented_at",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"summary": {"required": False}, "reason": {"required": False}}

    def validate_type(self, value):
        if self.instance is not None and value != self.instance.type:
            raise serializers.ValidationError("A change's type is chosen when it is raised.")
        return value


class ChangeTransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=ChangeStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    outcome = serializers.CharField(required=False, allow_blank=True, default="")
    review = serializers.CharField(required=False, allow_blank=True, default="")
    justification = serializers.CharField(required=False, allow_blank=True, default="")


class IncidentLinkSerializer(serializers.Serializer):
    ticket = serializers.PrimaryKeyRelatedField(queryset=Ticket.objects.all())


class ConflictSerializer(serializers.Serializer):
    kind = serializers.CharField()
    reason = serializers.CharField()
    other_id = serializers.IntegerField(allow_null=True)


class CalendarEntrySerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="change, critical_period, or a registered kind such as outage")
    title = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    status = serializers.CharField()
    id = serializers.IntegerField(allow_null=True)


def _service_errors(call):
    try:
        return call()
    except DjangoPermissionDenied as refused:
        raise exceptions.PermissionDenied(str(refused)) from None
    except DjangoValidationError as invalid:
        detail = invalid.message_dict if hasattr(invalid, "error_dict") else {"detail": invalid.messages}
        raise serializers.ValidationError(detail) from None


CALENDAR_MAX_DAYS = 92


class ChangeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Requests for change. Filters: status (repeatable), type, site, service, planned_from and planned_to
    (the planned window touches those dates)."""

    serializer_class = ChangeSerializer
    filterset_class = ChangeFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    search_fields: list[str] = []
    ordering_fields: list[str] = []

    def get_queryset(self):
        return (
            Change.objects.select_related("requested_by")
            .prefetch_related(
                "services",
                "sites",
                "assets",
                "caused_incidents",
                "fixes_problems",
                Prefetch("approvals", queryset=ChangeApproval.objects.select_related("approver")),
            )
            .order_by("-created_at", "-id")
        )

    def _answer(self, change: Change, status: int = 200) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=change.pk)).data, status=status)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        change = _service_errors(
            lambda: services.change_create(
                by=request.user,
                type=data.pop("type", ChangeType.NORMAL),
                template=data.pop("template", None),
                **data,
            )
        )
        return self._answer(change, status=201)

    def partial_update(self, request, *args, **kwargs):
        change = self.get_object()
        serializer = self.get_serializer(change, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("type", None)
        if "template" in data:
            raise serializers.ValidationError(
                {"template": "A change's template is chosen when it is raised."}
            )
        _service_errors(lambda: services.change_update(change=change, by=request.user, **data))
        return self._answer(change)

    @extend_schema(request=ChangeTransitionSerializer, responses=ChangeSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the change one step: {"to": ..., "note": ...}; "implemented" takes an outcome (and a review
        unless "successful"); "approved" a justification when the change has conflicts."""
        change = self.get_object()
        serializer = ChangeTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _service_errors(
            lambda: services.change_transition(change=change, by=request.user, **serializer.validated_data)
        )
        return self._answer(change)

    @extend_schema(request=IncidentLinkSerializer, responses=ChangeSerializer)
    @action(detail=True, methods=["post"])
    def incidents(self, request, pk=None):
        """Link an incident as caused by this change: {"ticket": <ticket id>}."""
        change = self.get_object()
        serializer = IncidentLinkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket = serializer.validated_data["ticket"]
        _service_errors(lambda: services.change_link_incident(change=change, ticket=ticket, by=request.user))
        return self._answer(change)

    @extend_schema(responses=ConflictSerializer(many=True))
    @action(detail=True, methods=["get"])
    def conflicts(self, request, pk=None):
        """Each conflict: a critical period of a service it affects, another change on the same site or
        asset at the same time."""
        return Response(ConflictSerializer(selectors.change_conflicts(self.get_object()), many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, required=True),
            OpenApiParameter("to", OpenApiTypes.DATE, required=True),
        ],
        responses=CalendarEntrySerializer(many=True),
        filters=False,
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def calendar(self, request):
        """Changes, critical periods and (once outages exist) planned outages between two dates, in one
        list with their kind. Staff see only the approved changes at their site."""
        try:
            first = date.fromisoformat(request.query_params.get("from", ""))
            last = date.fromisoformat(request.query_params.get("to", ""))
        except ValueError:
            raise serializers.ValidationError({"from": "Give from and to as YYYY-MM-DD."}) from None
        if last < first or last - first > timedelta(days=CALENDAR_MAX_DAYS):
            raise serializers.ValidationError(
                {"to": f"to must be on or after from, at most {CALENDAR_MAX_DAYS} days."}
            )
        entries = selectors.calendar_entries(request.user, first, last)
        return Response(CalendarEntrySerializer(entries, many=True).data)
