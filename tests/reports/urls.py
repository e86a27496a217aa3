"""The project's URLs plus the reports pages and API, for as long as servicedesk/urls.py and
servicedesk/api.py do not mount them (tests/reports/conftest.py uses this only then)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from reports.api import KpiViewSet, ReportRunViewSet
from servicedesk.urls import urlpatterns as project_urlpatterns

router = SimpleRouter()
router.register("reports/kpis", KpiViewSet, basename="report-kpis")
router.register("reports/runs", ReportRunViewSet, basename="report-run")

urlpatterns = [
    path("reports/", include("reports.urls")),
    path("api/", include(router.urls)),
    *project_urlpatterns,
]
