"""Mounted at /reports/ by servicedesk/urls.py; the dashboard itself stays at /dashboard/ ("dashboard")."""

from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.runs, name="runs"),
    path("tickets/", views.figure_tickets, name="tickets"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
    path("runs/<int:pk>/commentary/", views.run_commentary, name="run_commentary"),
    path("runs/<int:pk>/sign-off/", views.run_sign_off, name="run_sign_off"),
    path("runs/<int:pk>/retry/", views.run_retry, name="run_retry"),
    path("runs/<int:pk>/download/<str:kind>/", views.run_download, name="run_download"),
]
