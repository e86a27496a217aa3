from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "knowledge"
    verbose_name = "Knowledge"

    def ready(self) -> None:
        from . import known_errors, ticket_hooks

        ticket_hooks.register()
        known_errors.register()
