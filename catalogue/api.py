from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import services
from .filters import ServiceFilter
from .models import CriticalPeriod, Lifecycle, RequestField, Service, ServiceCategory, SupportGroup


class ServiceCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceCategory
        fields = ["id", "name", "description", "display_order"]


class RequestFieldSerializer(serializers.ModelSerializer):
    choices = serializers.ListField(source="choice_list", child=serializers.CharField(), read_only=True)

    class Meta:
        model = RequestField
        fields = ["key", "label", "field_type", "required", "help_text", "choices", "display_order"]


class CriticalPeriodSerializer(serializers.ModelSerializer):
    description = serializers.CharField(source="describe", read_only=True)

    class Meta:
        model = CriticalPeriod
        fields = ["name", "rule", "description"]


class ServiceSerializer(serializers.ModelSerializer):
    category = serializers.PrimaryKeyRelatedField(queryset=ServiceCategory.objects.all())
    category_name = serializers.CharField(source="category.name", read_only=True)
    support_group = serializers.PrimaryKeyRelatedField(queryset=SupportGroup.objects.all())
    support_group_name = serializers.CharField(source="support_group.name", read_only=True)
    request_fields = RequestFieldSerializer(many=True, read_only=True)
    critical_periods = CriticalPeriodSerializer(many=True, read_only=True)

    class Meta:
        model = Service
        fields = [
            "id",
            "name",
            "category",
            "category_name",
            "description",
            "keywords",
            "status",
            "criticality",
            "owner",
            "support_group",
            "support_group_name",
            "offers_incidents",
            "offers_requests",
            "request_fields",
            "critical_periods",
        ]
        # The lifecycle moves only through POST .../status/, which enforces pipeline -> live -> retired.
        read_only_fields = ["status"]

    def validate(self, attrs):
        incidents = attrs.get("offers_incidents", getattr(self.instance, "offers_incidents", True))
        requests = attrs.get("offers_requests", getattr(self.instance, "offers_requests", False))
        if not (incidents or requests):
            raise serializers.ValidationError("A service must offer incidents, service requests or both.")
        return attrs


class LifecycleSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Lifecycle.choices)


class ServiceCategoryViewSet(viewsets.ModelViewSet):
    """Service categories; read for signed-in users, write for the Admin role."""

    queryset = ServiceCategory.objects.all()
    serializer_class = ServiceCategorySerializer
    search_fields = ["name"]
    ordering_fields = ["name", "display_order"]
    filterset_fields: list[str] = []


class ServiceViewSet(viewsets.ModelViewSet):
    """The service portfolio with each service's request questions; read for all, write for the Admin role."""

    queryset = (
        Service.objects.select_related("category", "support_group")
        .prefetch_related("request_fields", "critical_periods")
        .order_by("category__display_order", "name")
    )
    serializer_class = ServiceSerializer
    filterset_class = ServiceFilter
    search_fields = ["name", "description", "keywords", "category__name"]
    ordering_fields = ["name", "status", "criticality"]

    def perform_destroy(self, instance):
        # Services are retired, never deleted: old tickets and reports keep pointing at them.
        raise serializers.ValidationError(
            "Services are retired, not deleted: POST .../status/ with 'retired'."
        )

    @extend_schema(request=LifecycleSerializer, responses=ServiceSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        """Move the service through its lifecycle (pipeline -> live -> retired)."""
        serializer = LifecycleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            service = services.service_change_status(
                service=self.get_object(), status=serializer.validated_data["status"]
            )
        return Response(ServiceSerializer(self.get_queryset().get(pk=service.pk)).data)
