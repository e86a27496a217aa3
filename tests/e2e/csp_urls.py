"""The project's URLs plus one page that prints a query parameter raw, as a template with an escaping bug
would: what the Content-Security-Policy must still stop (tests/e2e/test_content_security.py)."""

from django.http import HttpResponse
from django.urls import path

from servicedesk.urls import urlpatterns as project_urlpatterns


def raw_echo(request):
    text = request.GET.get("text", "")
    return HttpResponse(  # nosec: deliberately unescaped, the attack the policy must stop
        f"<!DOCTYPE html><html lang='en'><head><title>before</title></head><body><main>{text}</main>"
        "</body></html>"
    )


urlpatterns = [path("raw-echo/", raw_echo), *project_urlpatterns]
