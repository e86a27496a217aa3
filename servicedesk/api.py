"""The REST API's router: each app contributes its viewsets from its own api.py."""

from rest_framework.routers import DefaultRouter

from sites.api import SiteViewSet

router = DefaultRouter()
router.register("sites", SiteViewSet, basename="site")
