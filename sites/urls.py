from django.urls import path

from . import views

app_name = "sites"
urlpatterns = [
    path("", views.site_list, name="site_list"),
]
