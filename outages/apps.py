from django.apps import AppConfig


class OutagesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outages"
    verbose_name = "Outages and availability"

    def ready(self) -> None:
        from slas.unavailability import register_unavailability_source

        from .windows import site_windows_source

        # The SLA clocks do not count the time a ticket's site was down (slas/unavailability.py).
        register_unavailability_source(site_windows_source)

        from incidents import hooks

        from .services import on_ticket_recorded

        # A ticket logged (web, API, mail) at a site while an outage covers it is pre-linked to it.
        hooks.ticket_recorded.connect(on_ticket_recorded, dispatch_uid="outages.ticket_recorded")
