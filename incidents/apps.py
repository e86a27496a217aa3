from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Incidents and requests"

    def ready(self) -> None:
        from slas.signals import agreement_changed, sla_events_recorded

        from . import notifications, tasks

        # The documented hooks from slas (docs/architecture.md): mail a warning or breach; recalculate
        # open tickets when an agreement or calendar changes.
        sla_events_recorded.connect(notifications.sla_events_received, dispatch_uid="incidents.sla_events")
        agreement_changed.connect(
            tasks.agreement_changed_received, dispatch_uid="incidents.agreement_changed"
        )
