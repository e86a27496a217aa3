from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from accounts import api as accounts_api
from outages.api import AlertmanagerWebhook
from reports import views as report_views
from sites import views as sites_views

from . import views
from .api import router
from .api_docs import RedocView

admin.site.site_header = "Mbashe Service Desk administration"
admin.site.site_title = "Mbashe Service Desk"
admin.site.index_title = "Catalogue, SLAs, sites and people"

urlpatterns = [
    path("", views.home, name="home"),
    path("no-role/", views.no_role, name="no_role"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("sites/", include("sites.urls")),
    path("outages/", include("outages.urls")),
    # Printed on asset labels as a QR code: short and stable, labels outlive page layouts.
    path("a/<str:asset_tag>", sites_views.asset_qr, name="asset_qr"),
    path("", include("incidents.urls")),
    path("", include("mailin.urls")),
    path("catalogue/", include("catalogue.urls")),
    path("help/", include("knowledge.urls")),
    path("changes/", include("changes.urls")),
    path("problems/", include("problems.urls")),
    path("dashboard/", report_views.dashboard, name="dashboard"),
    path("reports/", include("reports.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # Redoc at both: Swagger UI's own markup nests buttons in buttons (axe nested-interactive, serious).
    path("api/docs/", RedocView.as_view(url_name="api_schema"), name="api_docs"),
    path("api/redoc/", RedocView.as_view(url_name="api_schema"), name="api_redoc"),
    path("api/auth/token/", accounts_api.TokenView.as_view(), name="api_token"),
    path("api/auth/sign-out/", accounts_api.SignOutView.as_view(), name="api_sign_out"),
    path(
        "api/auth/sign-out-everywhere/",
        accounts_api.SignOutEverywhereView.as_view(),
        name="api_sign_out_everywhere",
    ),
    path("api/outages/alertmanager/", AlertmanagerWebhook.as_view(), name="outage_alertmanager"),
    path("api/", include(router.urls)),
]

# Under /api/ every answer is JSON, errors included (servicedesk/views.py); pages keep their own.
handler400 = "servicedesk.views.bad_request"
handler403 = "servicedesk.views.forbidden"
handler404 = "servicedesk.views.not_found"
handler500 = "servicedesk.views.server_error"
