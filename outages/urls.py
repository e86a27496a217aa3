from django.urls import path

from . import views

app_name = "outages"
urlpatterns = [
    path("", views.outage_list, name="outage_list"),
    path("new/", views.outage_new, name="outage_new"),
    path("<int:pk>/end/", views.outage_end, name="outage_end"),
    path("from-ticket/<int:ticket_id>/", views.outage_from_major, name="outage_from_major"),
]
