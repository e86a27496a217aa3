from django.apps import AppConfig


class OutagesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outages"
    verbose_name = "Outages and availability"

    def ready(self) -> None:
        from common.banners import register_banner_provider
        from slas.unavailability import register_unavailability_source

        from .banner import site_banners
        from .windows import site_windows_source

        # The SLA clocks do not count the time a ticket's site was down (slas/unavailability.py).
        register_unavailability_source(site_windows_source)
        # The outages at the person's site, at the top of every page (common/banners.py).
        register_banner_provider("outages", site_banners)

        from changes.selectors import register_calendar_source
        from incidents import hooks
        from sites.panels import register_site_panel

        from .calendar import LOAD_SHEDDING, OUTAGE, load_shedding_entries, planned_outage_entries
        from .services import on_ticket_recorded
        from .site_panel import site_availability_panel

        # The change calendar (page and API) shows planned outages and load-shedding windows.
        register_calendar_source(OUTAGE, planned_outage_entries)
        register_calendar_source(LOAD_SHEDDING, load_shedding_entries)

        # A site's page shows its availability this month.
        register_site_panel("outages", site_availability_panel)

        # A ticket logged (web, API, mail) at a site while an outage covers it is pre-linked to it.
        hooks.ticket_recorded.connect(on_ticket_recorded, dispatch_uid="outages.ticket_recorded")
