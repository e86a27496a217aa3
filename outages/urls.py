from django.urls import path

from . import views

app_name = "outages"
urlpatterns = [
    path("", views.outage_list, name="outage_list"),
    path("new/", views.outage_new, name="outage_new"),
    path("load-shedding/", views.load_shedding, name="load_shedding"),
    path("<int:pk>/end/", views.outage_end, name="outage_end"),
    path("from-ticket/<int:ticket_id>/", views.outage_from_major, name="outage_from_major"),
]
