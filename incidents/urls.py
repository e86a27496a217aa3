from django.urls import path

from . import views

# No app namespace: notifications and the navigation reverse these names directly.
urlpatterns = [
    path("tickets/", views.my_tickets, name="my_tickets"),
    path("tickets/new/", views.ticket_new, name="ticket_new"),
    path("tickets/new/questions/", views.ticket_new_questions, name="ticket_new_questions"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket_detail"),
    path("tickets/<int:pk>/reply/", views.ticket_reply, name="ticket_reply"),
    path("tickets/<int:pk>/status/", views.ticket_status, name="ticket_status"),
    path("tickets/<int:pk>/take/", views.ticket_take, name="ticket_take"),
    path("tickets/<int:pk>/assign/", views.ticket_assign, name="ticket_assign"),
    path("tickets/<int:pk>/details/", views.ticket_update, name="ticket_update"),
    path("tickets/<int:pk>/details/form/", views.ticket_update_form, name="ticket_update_form"),
    path("tickets/<int:pk>/rating/", views.ticket_rate, name="ticket_rate"),
    path("tickets/<int:pk>/major/", views.ticket_major_link, name="ticket_major_link"),
    path("tickets/<int:pk>/major/form/", views.ticket_major_link_form, name="ticket_major_link_form"),
    path("tickets/<int:pk>/major/update/", views.ticket_major_update, name="ticket_major_update"),
    path("tickets/<int:pk>/files/<int:file_pk>/", views.attachment_download, name="attachment_download"),
    path("rate/<str:token>/", views.rate_by_link, name="rate_by_link"),
    path("queue/", views.work_queue, name="work_queue"),
    path("queue/major/", views.queue_major_link, name="queue_major_link"),
    path("queue/views/", views.saved_filter_save, name="saved_filter_save"),
    path("queue/views/<int:pk>/delete/", views.saved_filter_delete, name="saved_filter_delete"),
]
