from django.apps import AppConfig


class SlasConfig(AppConfig):
    name = "slas"
