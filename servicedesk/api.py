"""The REST API's router: each app contributes its viewsets from its own api.py."""

from rest_framework.routers import DefaultRouter

from catalogue.api import ServiceCategoryViewSet, ServiceViewSet
from sites.api import AssetViewSet, SiteViewSet

router = DefaultRouter()
router.register("sites", SiteViewSet, basename="site")
router.register("categories", ServiceCategoryViewSet, basename="category")
router.register("services", ServiceViewSet, basename="service")
router.register("assets", AssetViewSet, basename="asset")
