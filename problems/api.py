"""/api/problems/: list, create, retrieve and partial update through the same services as the pages, and
POST/DELETE .../incidents/ with {"tickets": [ids]} to link and unlink. Staff get a 403 (common.access)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from catalogue.models import Impact, Service, SupportGroup, Urgency
from common.pagination import IdsFirstPagination
from incidents.permissions import visible_tickets
from sites.models import Asset, Site

from . import problem_extensions, selectors, services
from .filters import ProblemFilter
from .models import (
    Improvement,
    ImprovementReason,
    ImprovementStatus,
    Problem,
    ProblemStatus,
    RootCauseCategory,
)
from .services import OpenIncidents


class ProblemSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True, help_text="PRB-000012.")
    known_error = serializers.BooleanField(
        read_only=True, help_text="A workaround is recorded and the problem is open."
    )
    incident_count = serializers.IntegerField(read_only=True)
    service_name = serializers.CharField(source="service.name", read_only=True)
    # Filled through problems.problem_extensions (changes registers it); null when nothing is named.
    fixed_by_change = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The change that carries the permanent fix (id); null until one is named.",
    )

    class Meta:
        model = Problem
        fields = [
            "id",
            "reference",
            "summary",
            "description",
            "status",
            "priority",
            "impact",
            "urgency",
            "service",
            "service_name",
            "sites",
            "assets",
            "owner",
            "group",
            "root_cause",
            "root_cause_category",
            "workaround",
            "workaround_public",
            "permanent_fix",
            "fixed_by_change",
            "known_error",
            "incident_count",
            "created_at",
            "known_error_at",
            "resolved_at",
            "closed_at",
            "version",
        ]
        read_only_fields = fields


class ProblemWriteSerializer(serializers.Serializer):
    """What a client may send to create or change a problem (status only when changing)."""

    summary = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    service = serializers.PrimaryKeyRelatedField(queryset=Service.objects.all(), required=False)
    impact = serializers.ChoiceField(choices=Impact.choices, required=False)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    sites = serializers.PrimaryKeyRelatedField(queryset=Site.objects.all(), many=True, required=False)
    assets = serializers.PrimaryKeyRelatedField(queryset=Asset.objects.all(), many=True, required=False)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(), required=False, allow_null=True
    )
    group = serializers.PrimaryKeyRelatedField(
        queryset=SupportGroup.objects.all(), required=False, allow_null=True
    )
    root_cause = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    root_cause_category = serializers.ChoiceField(choices=["", *RootCauseCategory.values], required=False)
    workaround = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    workaround_public = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    permanent_fix = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    fixed_by_change = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="The change (id) that carries the permanent fix; null to name none.",
    )
    status = serializers.ChoiceField(choices=ProblemStatus.values, required=False)
    status_note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    open_incidents = serializers.ChoiceField(choices=[c for c, _ in OpenIncidents.CHOICES], required=False)
    message = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    version = serializers.IntegerField(
        min_value=1, required=False, help_text="The version you read (409 if stale)."
    )


class TicketsSerializer(serializers.Serializer):
    tickets = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=500)


class LinkResultSerializer(serializers.Serializer):
    changed = serializers.IntegerField(help_text="How many incidents were linked or unlinked.")
    problem = ProblemSerializer()


class ProblemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Problems: the service desk's (technicians and the ICT manager); staff get 403."""

    serializer_class = ProblemSerializer
    pagination_class = IdsFirstPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = ProblemFilter

    def get_queryset(self) -> QuerySet[Problem]:
        problems = selectors.problem_list().prefetch_related("sites", "assets")
        # `fixed_by_change` (and any field an app above registers): problem_extensions, in the same query.
        return problem_extensions.annotate(self.request.user, problems)

    def _answer(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        return Response(ProblemSerializer(self.get_queryset().get(pk=pk)).data, status=code)

    @extend_schema(request=ProblemWriteSerializer, responses={201: ProblemSerializer})
    def create(self, request):
        data = _validated(request.data)
        for name in ("summary", "service"):
            if name not in data:
                raise serializers.ValidationError({name: "This field is required."})
        refused = {"status", "status_note", "open_incidents", "message", "version"} & set(data)
        if refused:
            raise serializers.ValidationError(dict.fromkeys(refused, "Set it once the problem exists."))
        problem = services.problem_log(
            by=request.user,
            **{
                k: v
                for k, v in data.items()
                if k
                in (
                    "summary",
                    "description",
                    "service",
                    "impact",
                    "urgency",
                    "sites",
                    "assets",
                    "owner",
                    "group",
                )
            },
        )
        changes = {
            k: v
            for k, v in data.items()
            if k
            in (
                "root_cause",
                "root_cause_category",
                "workaround",
                "workaround_public",
                "permanent_fix",
                *problem_extensions.writable_fields(),
            )
        }
        if changes:
            services.problem_update(problem=problem, by=request.user, changes=changes)
        return self._answer(problem.pk, status.HTTP_201_CREATED)

    @extend_schema(request=ProblemWriteSerializer, responses=ProblemSerializer)
    def partial_update(self, request, pk=None):
        problem = self.get_object()
        data = _validated(request.data)
        version = data.pop("version", None)
        to = data.pop("status", None)
        note, open_incidents, message = (
            data.pop("status_note", ""),
            data.pop("open_incidents", ""),
            data.pop("message", ""),
        )
        with transaction.atomic():
            if data:
                problem = services.problem_update(
                    problem=problem, by=request.user, changes=data, expected_version=version
                )
                version = problem.version if version is not None else None
            if to is not None and to != problem.status:
                services.problem_change_status(
                    problem=problem,
                    to=to,
                    by=request.user,
                    expected_version=version,
                    note=note,
                    open_incidents=open_incidents,
                    message=message,
                )
        return self._answer(problem.pk)

    @extend_schema(request=TicketsSerializer, responses=LinkResultSerializer, methods=["POST", "DELETE"])
    @action(detail=True, methods=["post", "delete"])
    def incidents(self, request, pk=None):
        """POST links the tickets to the problem, DELETE unlinks them; each is history on both sides."""
        problem = self.get_object()
        serializer = TicketsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        wanted = serializer.validated_data["tickets"]
        tickets = list(visible_tickets(request.user).filter(pk__in=wanted))
        missing = sorted(set(wanted) - {t.pk for t in tickets})
        if missing:
            raise serializers.ValidationError({"tickets": f"No such ticket: {', '.join(map(str, missing))}."})
        if request.method == "POST":
            changed = services.problem_link_incidents(problem=problem, tickets=tickets, by=request.user)
        else:
            changed = services.problem_unlink_incidents(problem=problem, tickets=tickets, by=request.user)
        problem = self.get_queryset().get(pk=problem.pk)
        return Response({"changed": changed, "problem": ProblemSerializer(problem).data})


def _validated(data) -> dict:
    serializer = ProblemWriteSerializer(data=data)
    serializer.is_valid(raise_exception=True)
    unknown = set(data) - set(ProblemWriteSerializer().fields) if hasattr(data, "keys") else set()
    if unknown:
        raise serializers.ValidationError(dict.fromkeys(sorted(unknown), "Unknown field."))
    return dict(serializer.validated_data)


class ImprovementSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True, help_text="CSI-000001.")

    class Meta:
        model = Improvement
        fields = [
            "id", "reference", "what", "reason", "problem", "kpi", "report_month", "comment", "owner",
            "due_on", "status", "outcome", "created_at", "done_at", "version",
        ]  # fmt: skip
        read_only_fields = fields


class ImprovementWriteSerializer(serializers.Serializer):
    what = serializers.CharField(max_length=200, required=False)
    reason = serializers.ChoiceField(choices=ImprovementReason.values, required=False)
    problem = serializers.PrimaryKeyRelatedField(
        queryset=Problem.objects.all(), required=False, allow_null=True
    )
    kpi = serializers.CharField(max_length=40, required=False, allow_blank=True)
    report_month = serializers.DateField(required=False, allow_null=True)
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    owner = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.all(), required=False)
    due_on = serializers.DateField(required=False)
    status = serializers.ChoiceField(choices=ImprovementStatus.values, required=False)
    outcome = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    version = serializers.IntegerField(min_value=1, required=False)


class ImprovementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The improvement register: the ICT manager's (and admins'); staff and technicians get 403."""

    serializer_class = ImprovementSerializer
    pagination_class = IdsFirstPagination
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["status", "reason", "problem"]

    def get_queryset(self) -> QuerySet[Improvement]:
        return selectors.improvement_list()

    @extend_schema(request=ImprovementWriteSerializer, responses={201: ImprovementSerializer})
    def create(self, request):
        writer = ImprovementWriteSerializer(data=request.data)
        writer.is_valid(raise_exception=True)
        data = dict(writer.validated_data)
        missing = [name for name in ("what", "reason", "owner", "due_on") if name not in data]
        if missing:
            raise serializers.ValidationError(dict.fromkeys(missing, "This field is required."))
        if {"status", "outcome", "version"} & set(data):
            raise serializers.ValidationError({"status": "Set it once the action exists."})
        improvement = services.improvement_raise(by=request.user, **data)
        return Response(ImprovementSerializer(improvement).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ImprovementWriteSerializer, responses=ImprovementSerializer)
    def partial_update(self, request, pk=None):
        improvement = self.get_object()
        writer = ImprovementWriteSerializer(data=request.data, partial=True)
        writer.is_valid(raise_exception=True)
        data = dict(writer.validated_data)
        version = data.pop("version", None)
        improvement = services.improvement_update(
            improvement=improvement, by=request.user, changes=data, expected_version=version
        )
        return Response(ImprovementSerializer(improvement).data)
