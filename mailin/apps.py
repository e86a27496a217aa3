from django.apps import AppConfig


class MailinConfig(AppConfig):
    name = "mailin"
    verbose_name = "Mail in"

    def ready(self) -> None:
        from incidents.page_links import register

        from .views import headers_link

        # The ticket page offers the desk the original mail's headers (incidents/page_links.py).
        register(headers_link)
