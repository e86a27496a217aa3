from django.apps import AppConfig


class ProblemsConfig(AppConfig):
    name = "problems"
    verbose_name = "Problems and known errors"

    def ready(self) -> None:
        from . import ticket_hooks

        # incidents never imports problems: its ticket page, queue and ticket JSON ask the hooks of
        # incidents.ticket_extensions, which problems answers (docs/architecture.md).
        ticket_hooks.register()
