from django.urls import path

from . import views

urlpatterns = [
    path("tickets/<int:pk>/mail/", views.mail_headers, name="mail_headers"),
]
