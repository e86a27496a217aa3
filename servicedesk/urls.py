from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token

from incidents import views as incident_views
from reports import views as report_views

from . import views
from .api import router

admin.site.site_header = "Mbashe Service Desk administration"
admin.site.site_title = "Mbashe Service Desk"
admin.site.index_title = "Catalogue, SLAs, sites and people"

urlpatterns = [
    path("", views.home, name="home"),
    path("no-role/", views.no_role, name="no_role"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("sites/", include("sites.urls")),
    path("tickets/", incident_views.my_tickets, name="my_tickets"),
    path("queue/", incident_views.work_queue, name="work_queue"),
    path("catalogue/", include("catalogue.urls")),
    path("dashboard/", report_views.dashboard, name="dashboard"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api_schema"), name="api_redoc"),
    path("api/auth/token/", obtain_auth_token, name="api_token"),
    path("api/", include(router.urls)),
]
