from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People"

    def ready(self) -> None:
        # Connects the receiver that revokes API tokens on a password change or a deactivation.
        from . import tokens  # noqa: F401
