"""The REST API's router (each app contributes its viewsets from its own api.py); signing in and out of
the API is accounts/api.py."""

from rest_framework.routers import DefaultRouter

from catalogue.api import ServiceCategoryViewSet, ServiceViewSet
from changes.api import ChangeViewSet
from incidents.api import TicketViewSet
from knowledge.api import ArticleViewSet
from outages.api import AvailabilityViewSet, OutageViewSet
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
router.register("articles", ArticleViewSet, basename="article")
router.register("changes", ChangeViewSet, basename="change")
router.register("problems", ProblemViewSet, basename="problem")
router.register("improvements", ImprovementViewSet, basename="improvement")
router.register("slas", AgreementViewSet, basename="sla")
router.register("calendars", CalendarViewSet, basename="calendar")
router.register("outages", OutageViewSet, basename="outage")
router.register("availability", AvailabilityViewSet, basename="availability")
router.register("reports/kpis", KpiViewSet, basename="report-kpis")
router.register("reports/runs", ReportRunViewSet, basename="report-run")
