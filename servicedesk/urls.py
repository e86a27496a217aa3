from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from reports import views as report_views
from sites import views as sites_views

from . import views
from .api import obtain_auth_token, router
from .api_docs import RedocView

admin.site.site_header = "Mbashe Service Desk administration"
admin.site.site_title = "Mbashe Service Desk"
admin.site.index_title = "Catalogue, SLAs, sites and people"

urlpatterns = [
    path("", views.home, name="home"),
    path("no-role/", views.no_role, name="no_role"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("sites/", include("sites.urls")),
    # Printed on asset labels as a QR code: short and stable, labels outlive page layouts.
    path("a/<str:asset_tag>", sites_views.asset_qr, name="asset_qr"),
    path("", include("incidents.urls")),
    path("catalogue/", include("catalogue.urls")),
    path("problems/", include("problems.urls")),
    path("dashboard/", report_views.dashboard, name="dashboard"),
    path("reports/", include("reports.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # Redoc at both: Swagger UI's own markup nests buttons in buttons (axe nested-interactive, serious).
    path("api/docs/", RedocView.as_view(url_name="api_schema"), name="api_docs"),
    path("api/redoc/", RedocView.as_view(url_name="api_schema"), name="api_redoc"),
    path("api/auth/token/", obtain_auth_token, name="api_token"),
    path("api/", include(router.urls)),
]

handler404 = "servicedesk.views.not_found"
