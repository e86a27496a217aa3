"""Django's sign-in, sign-out and password pages under /accounts/, with our password-reset form (throttled,
mailed through the outbox) in place of Django's, and "sign out of all devices"."""

from django.contrib.auth import urls as auth_urls
from django.urls import path

from . import views
from .password_reset import PasswordResetView

urlpatterns = [
    path("password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    *(pattern for pattern in auth_urls.urlpatterns if getattr(pattern, "name", None) != "password_reset"),
]
