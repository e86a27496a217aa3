from rest_framework import serializers, viewsets

from .filters import SiteFilter
from .models import Building, Site


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
