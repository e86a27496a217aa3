"""The project's URLs plus a page and a viewset that the access table does not name: what a developer
adds before writing its entry (tests/common/test_access.py)."""

from django.http import HttpResponse
from django.urls import include, path
from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from common.access import access_required
from servicedesk.urls import urlpatterns as project_urlpatterns


@access_required
def unlisted_page(request):
    return HttpResponse("a page nobody gave an entry")


class UnlistedViewSet(viewsets.ViewSet):
    def list(self, request):
        return Response({"detail": "an endpoint nobody gave an entry"})


router = SimpleRouter()
router.register("unlisted", UnlistedViewSet, basename="unlisted")

urlpatterns = [
    path("unlisted/", unlisted_page, name="unlisted_page"),
    path("api/", include(router.urls)),
    *project_urlpatterns,
]
