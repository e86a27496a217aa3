from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_safe
from django.views.defaults import page_not_found

from common.access import access_required

from . import health, navigation


@access_required
def home(request):
    """Send each role to its own home page."""
    return redirect(navigation.home_url_for(request.user))


@access_required
def no_role(request):
    return render(request, "servicedesk/no_role.html", status=403)


@never_cache
@require_GET
@access_required
def healthz(request):
    """200 with the state of each part, or 503 naming the part that failed; used by compose and monitors."""
    ok, body = health.health()
    return JsonResponse(body, status=200 if ok else 503)


def not_found(request, exception):
    """404 for every URL that matches nothing (DEBUG off): JSON under /api/, as every API answer is; the
    site's own page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


@cache_control(max_age=86400, public=True)
@require_safe
def favicon(request):
    """/favicon.ico, which browsers ask for on pages that name no icon (the API's JSON answers): the icon
    every page links (static/img/favicon.svg), served by the app."""
    return redirect(static("img/favicon.svg"))
