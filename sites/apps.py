from django.apps import AppConfig


class SitesConfig(AppConfig):
    # Our label "sites" would collide with django.contrib.sites, which this project does not install.
    name = "sites"
    verbose_name = "Sites and assets"
