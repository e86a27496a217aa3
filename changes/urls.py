from django.urls import path

from . import views

app_name = "changes"
urlpatterns = [
    path("", views.change_list, name="change_list"),
    path("new/", views.change_new, name="change_new"),
    path("calendar/", views.calendar, name="calendar"),
    path("<int:pk>/", views.change_detail, name="change_detail"),
    path("<int:pk>/edit/", views.change_edit, name="change_edit"),
    path("<int:pk>/transition/", views.change_transition, name="change_transition"),
    path("<int:pk>/incidents/", views.change_link, name="change_link"),
    path("fix/problem/<int:problem_pk>/", views.problem_fix, name="problem_fix"),
    path("cause/ticket/<int:ticket_pk>/", views.ticket_caused_by, name="ticket_caused_by"),
]
