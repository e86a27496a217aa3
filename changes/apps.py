from django.apps import AppConfig


class ChangesConfig(AppConfig):
    name = "changes"
    verbose_name = "Changes"

    def ready(self) -> None:
        from catalogue.transitions import register_transition_guard

        from . import service_transition

        # The one rule "a service goes live or is retired only through an implemented change that names
        # it": catalogue asks it on every lifecycle move (catalogue.transitions).
        register_transition_guard(service_transition.transition_refusal)
