from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "Shared kernel"

    def ready(self) -> None:
        from . import access

        # New models bring new permissions in later migrations; keep the four roles' grants in step.
        post_migrate.connect(access.sync_roles_after_migrate, dispatch_uid="common.sync_roles")
