from django.urls import path

from . import views

app_name = "outages"
urlpatterns = [
    path("", views.outage_list, name="outage_list"),
    path("new/", views.outage_new, name="outage_new"),
    path("load-shedding/", views.load_shedding, name="load_shedding"),
    path("<int:pk>/end/", views.outage_end, name="outage_end"),
    path("<int:pk>/major-incident/", views.outage_major_open, name="outage_major_open"),
    path("<int:pk>/resolve-tickets/", views.outage_tickets_resolve, name="outage_tickets_resolve"),
    path("from-ticket/<int:ticket_id>/", views.outage_from_major, name="outage_from_major"),
]
