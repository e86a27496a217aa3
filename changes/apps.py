from django.apps import AppConfig


class ChangesConfig(AppConfig):
    name = "changes"
    verbose_name = "Changes"

    def ready(self) -> None:
        from catalogue.transitions import register_transition_guard
        from common.banners import register_banner_provider

        from . import notices, problem_fixes, service_transition, ticket_hooks

        # The one rule "a service goes live or is retired only through an implemented change that names
        # it": catalogue asks it on every lifecycle move (catalogue.transitions).
        register_transition_guard(service_transition.transition_refusal)
        # An approved change interrupting a service at the person's site, on every page while it runs.
        register_banner_provider("changes", notices.interruption_banners)
        # Problems and incidents sit below changes: "fixed by change" on the problem page and JSON
        # (problems.problem_extensions), "caused by change" on the ticket page and JSON
        # (incidents.ticket_extensions). Neither app imports changes (docs/architecture.md).
        problem_fixes.register()
        ticket_hooks.register()
