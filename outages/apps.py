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
