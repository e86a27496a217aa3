"""The REST API's router (each app contributes its viewsets from its own api.py), and the token view."""

from django.contrib.auth import get_user_model
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.routers import DefaultRouter

from catalogue.api import ServiceCategoryViewSet, ServiceViewSet
from incidents.api import TicketViewSet
from problems.api import ImprovementViewSet, ProblemViewSet
from reports.api import KpiViewSet, ReportRunViewSet
from sites.api import AssetViewSet, SiteViewSet
from slas.api import AgreementViewSet, CalendarViewSet

# No ".json" URL suffixes: nothing uses them (clients send Accept or ?format=), they doubled every route,
# and the ticket and service actions answered them with a 500 (an unexpected `format` argument).
router = DefaultRouter()
router.include_format_suffixes = False
router.register("sites", SiteViewSet, basename="site")
router.register("categories", ServiceCategoryViewSet, basename="category")
router.register("services", ServiceViewSet, basename="service")
router.register("assets", AssetViewSet, basename="asset")
router.register("tickets", TicketViewSet, basename="ticket")
router.register("problems", ProblemViewSet, basename="problem")
router.register("improvements", ImprovementViewSet, basename="improvement")
router.register("slas", AgreementViewSet, basename="sla")
router.register("calendars", CalendarViewSet, basename="calendar")
router.register("reports/kpis", KpiViewSet, basename="report-kpis")
router.register("reports/runs", ReportRunViewSet, basename="report-run")


USERNAME_MAX = get_user_model()._meta.get_field("username").max_length


class TokenRequestSerializer(AuthTokenSerializer):
    """A username longer than any account can have is bad input, refused before a sign-in is tried: the
    failed attempt's record (django-axes, 255 characters) could not hold it and the answer was a 500."""

    # DRF takes max_length=None (no limit); the stubs say int
    username = serializers.CharField(label="Username", write_only=True, max_length=USERNAME_MAX)  # type: ignore[arg-type]


class TokenView(ObtainAuthToken):
    serializer_class = TokenRequestSerializer


obtain_auth_token = TokenView.as_view()
