from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Incidents and requests"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from catalogue.models import SupportGroup
        from sites.models import Site
        from slas.models import Supplier
        from slas.signals import agreement_changed, sla_events_recorded

        from . import notifications, pick_lists, tasks

        # The documented hooks from slas (docs/architecture.md): mail a warning or breach; recalculate
        # open tickets when an agreement or calendar changes.
        sla_events_recorded.connect(notifications.sla_events_received, dispatch_uid="incidents.sla_events")
        agreement_changed.connect(
            tasks.agreement_changed_received, dispatch_uid="incidents.agreement_changed"
        )

        # The ticket page's pick-lists are kept per process (incidents/pick_lists.py): any change to what
        # they list or say (a supplier, a group, a person, their roles, the site named beside them).
        user_model = get_user_model()
        for model in (Supplier, SupportGroup, user_model, Group, Site):
            uid = f"incidents.pick_lists.{model._meta.label}"
            post_save.connect(pick_lists.forget_pick_lists, sender=model, dispatch_uid=uid)
            post_delete.connect(pick_lists.forget_pick_lists, sender=model, dispatch_uid=f"{uid}.deleted")
        m2m_changed.connect(
            pick_lists.forget_pick_lists,
            sender=user_model.groups.through,
            dispatch_uid="incidents.pick_lists.roles",
        )
