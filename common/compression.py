"""gzip for the pages and API answers, so a park home on a wireless link gets the queue in about 4 KB
instead of 26 KB (docs/performance.md).

Django's GZipMiddleware, limited to text answers that are built whole: HTML, JSON, CSV, JavaScript, SVG.
Streaming answers (attachments, the report's PDF/XLSX/CSV downloads) and static files (WhiteNoise sends
its own Brotli/gzip copies) are left as they are, so a download keeps its Content-Length and no CPU is
spent recompressing a PDF. BREACH: Django adds a random-length gzip header per answer (Django 4.2+), the
CSRF token is masked per request, and no page echoes a secret next to text the visitor chose.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware

COMPRESSIBLE = (
    "text/",
    "application/json",
    "application/problem+json",
    "application/vnd.oai.openapi",
    "application/javascript",
    "application/xml",
    "image/svg+xml",
)


class PageCompressionMiddleware(GZipMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if response.streaming:
            return response
        content_type = response.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if not content_type.startswith(COMPRESSIBLE):
            return response
        return super().process_response(request, response)
