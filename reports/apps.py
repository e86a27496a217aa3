from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self) -> None:
        # A change to a ticket marks the ended months it counts in stale (docs/kpis.md).
        from .ticket_hooks import connect

        connect()
