"""An API client for the ticket API's tests: one that read the ticket before changing it."""

import re

from rest_framework.test import APIClient

from incidents.models import Ticket

CHANGE = re.compile(r"^/api/tickets/(?P<pk>[0-9]+)/(?:transition/|assign/|take/|comments/|attachments/)?$")


class ReadThenChangeClient(APIClient):
    """A client that read the ticket just before changing it, as the pages do: a change (PATCH, or POST
    to an action) that names no version sends the ticket's current one as If-Match. Tests of what a
    version-less change gets use a plain APIClient."""

    def _read_first(self, path, data, extra):
        found = CHANGE.match(path)
        named = isinstance(data, dict) and "version" in data
        if found and not named and "HTTP_IF_MATCH" not in extra:
            version = Ticket.objects.filter(pk=found["pk"]).values_list("version", flat=True).first()
            if version is not None:
                extra["HTTP_IF_MATCH"] = f'"{version}"'
        return extra

    def post(self, path, data=None, format=None, content_type=None, follow=False, **extra):
        extra = self._read_first(path, data, extra)
        return super().post(path, data, format, content_type, follow, **extra)

    def patch(self, path, data=None, format=None, content_type=None, follow=False, **extra):
        extra = self._read_first(path, data, extra)
        return super().patch(path, data, format, content_type, follow, **extra)
