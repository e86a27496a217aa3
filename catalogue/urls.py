from django.urls import path

from . import views

app_name = "catalogue"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("<int:service_id>/", views.service_detail, name="service_detail"),
]
