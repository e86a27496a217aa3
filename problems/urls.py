from django.urls import path

from . import views

app_name = "problems"
urlpatterns = [
    path("", views.problem_list, name="problem_list"),
    path("new/", views.problem_new, name="problem_new"),
    path("<int:pk>/", views.problem_detail, name="problem_detail"),
    path("<int:pk>/edit/", views.problem_edit, name="problem_edit"),
    path("<int:pk>/status/", views.problem_status, name="problem_status"),
    path("<int:pk>/unlink/", views.problem_unlink, name="problem_unlink"),
    path("<int:pk>/apply/<int:ticket_pk>/", views.workaround_apply, name="workaround_apply"),
    path("link/ticket/<int:ticket_pk>/", views.problem_link, name="problem_link"),
    path("link/queue/", views.queue_link, name="queue_link"),
    path("proposals/<int:pk>/accept/", views.proposal_accept, name="proposal_accept"),
    path("proposals/<int:pk>/dismiss/", views.proposal_dismiss, name="proposal_dismiss"),
    path("improvements/", views.improvement_list, name="improvement_list"),
    path("improvements/new/", views.improvement_new, name="improvement_new"),
    path("improvements/<int:pk>/", views.improvement_edit, name="improvement_edit"),
]
