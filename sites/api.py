from rest_framework import serializers, viewsets

from common.access import may

from . import selectors, services
from .filters import AssetFilter, SiteFilter
from .models import Asset, Building, Site


class BuildingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Building
        fields = ["id", "name", "connected", "connection_type"]


class SiteSerializer(serializers.ModelSerializer):
    building_set = BuildingSerializer(many=True, read_only=True)

    class Meta:
        model = Site
        fields = [
            "id",
            "name",
            "town",
            "connection_type",
            "computer_users",
            "buildings",
            "buildings_connected",
            "network_points",
            "network_printers",
            "telephones",
            "building_set",
        ]


class SiteViewSet(viewsets.ReadOnlyModelViewSet):
    """The municipality's sites with Table 1's figures and their buildings; any signed-in user may read."""

    queryset = Site.objects.prefetch_related("building_set")
    serializer_class = SiteSerializer
    filterset_class = SiteFilter
    search_fields = ["name", "connection_type"]
    ordering_fields = ["name", "town", "computer_users", "network_points", "table_order"]
    ordering = ["table_order"]


class AssetSerializer(serializers.ModelSerializer):
    site_name = serializers.CharField(source="site.name", read_only=True)
    building_name = serializers.CharField(source="building.name", read_only=True, allow_null=True)
    far_site_name = serializers.CharField(source="far_site.name", read_only=True, allow_null=True)
    assigned_to_username = serializers.CharField(
        source="assigned_to.username",
        read_only=True,
        allow_null=True,
        help_text="The sign-in name of the person it is assigned to, for the ICT service desk only; null "
        "for anyone else (a list of sign-in names is half of a password-guessing attack).",
    )
    link_description = serializers.CharField(read_only=True)

    class Meta:
        model = Asset
        fields = [
            "id",
            "asset_tag",
            "type",
            "make",
            "model",
            "serial",
            "site",
            "site_name",
            "building",
            "building_name",
            "assigned_to",
            "assigned_to_username",
            "status",
            "purchase_date",
            "warranty_expires",
            "connection_type",
            "far_site",
            "far_site_name",
            "link_description",
            "notes",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self._sees_sign_in_names():
            data["assigned_to_username"] = None
        return data

    def _sees_sign_in_names(self) -> bool:
        # Asked once per answer (a list shares its child's context), not once per asset.
        context = self.context
        if "sees_sign_in_names" not in context:
            request = context.get("request")
            context["sees_sign_in_names"] = request is not None and may(request.user, "ticket.work")
        return context["sees_sign_in_names"]


class AssetViewSet(viewsets.ModelViewSet):
    """The asset register: every signed-in user may read it; only an Admin may change it.

    Writes go through sites.services (the same rules as the admin and the CSV import); a broken rule
    is a 400 that names the field.
    """

    queryset = selectors.asset_list()
    serializer_class = AssetSerializer
    filterset_class = AssetFilter
    search_fields = ["asset_tag", "serial", "make", "model"]
    ordering_fields = ["asset_tag", "type", "status", "site__name", "purchase_date", "warranty_expires"]
    ordering = ["asset_tag"]

    # A rule broken in a service (Django's ValidationError) becomes a 400 in common.api_errors.
    def perform_create(self, serializer):
        serializer.instance = services.asset_create(**serializer.validated_data, user=self.request.user)

    def perform_update(self, serializer):
        serializer.instance = services.asset_update(
            asset=serializer.instance, data=serializer.validated_data, user=self.request.user
        )

    def perform_destroy(self, instance):
        services.asset_delete(asset=instance, user=self.request.user)
