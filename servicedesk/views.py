import sys

from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_safe
from django.views.defaults import bad_request as page_bad_request
from django.views.defaults import page_not_found
from django.views.defaults import permission_denied as page_permission_denied
from django.views.defaults import server_error as page_server_error

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


# Django's error views, JSON under /api/ (issue 16: a database outage and an oversized body answered an
# HTML page). Errors inside DRF views are answered by common.api_errors; these are for what is raised
# outside one: a middleware, the URL resolver, Django's request parsing. DEBUG pages stay as they are.


def _api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception):
    """400 for a request Django refused before any view (a SuspiciousOperation); 413 for a body over
    DATA_UPLOAD_MAX_MEMORY_SIZE."""
    if not _api(request):
        return page_bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return JsonResponse({"detail": "The request body is too large."}, status=413)
    return JsonResponse({"detail": "Bad request."}, status=400)


def forbidden(request, exception):
    if not _api(request):
        return page_permission_denied(request, exception)
    return JsonResponse({"detail": "You do not have permission to perform this action."}, status=403)


def not_found(request, exception):
    """404 for every URL that matches nothing (DEBUG off): JSON under /api/, as every API answer is; the
    site's own page elsewhere."""
    if _api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


def server_error(request):
    """500, or 503 with Retry-After when the database cannot be reached (Django calls this while it
    handles the exception, so sys.exc_info() names it)."""
    if not _api(request):
        return page_server_error(request)
    if isinstance(sys.exc_info()[1], DatabaseError):
        response = JsonResponse(
            {"detail": "The service desk's database cannot be reached; try again in a minute."}, status=503
        )
        response["Retry-After"] = "60"
        return response
    return JsonResponse({"detail": "Something went wrong on our side; it has been logged."}, status=500)


@cache_control(max_age=86400, public=True)
@require_safe
def favicon(request):
    """/favicon.ico, which browsers ask for on pages that name no icon (the API's JSON answers): the icon
    every page links (static/img/favicon.svg), served by the app."""
    return redirect(static("img/favicon.svg"))
