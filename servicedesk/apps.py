from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ServicedeskConfig(AppConfig):
    name = "servicedesk"
    verbose_name = "Service desk"

    def ready(self) -> None:
        from . import roles

        # New models bring new permissions in later migrations; keep the four roles' grants in step.
        post_migrate.connect(roles.sync_roles_after_migrate, dispatch_uid="servicedesk.sync_roles")
