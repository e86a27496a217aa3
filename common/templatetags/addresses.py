"""`{% site_url %}`: the address people reach the service desk at, for links in mail templates
(common.addresses; never the Host header of whoever asked for the mail)."""

from django import template

from common.addresses import site_url as configured_site_url

register = template.Library()


@register.simple_tag
def site_url() -> str:
    return configured_site_url()
