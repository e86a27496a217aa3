"""Files on tickets: what may be uploaded, checked by content and not only by name, and how it is stored.

Files are stored under MEDIA_ROOT with random names (never the user's name on disk), outside anything
the web server publishes, and served only by incidents.views.attachment_download, which checks the
ticket scope and sends them as downloads with nosniff and a sandboxing Content-Security-Policy.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extensions: tuple[str, ...]


KINDS = {
    "pdf": FileKind("application/pdf", (".pdf",)),
    "png": FileKind("image/png", (".png",)),
    "jpeg": FileKind("image/jpeg", (".jpg", ".jpeg")),
    "gif": FileKind("image/gif", (".gif",)),
    "docx": FileKind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)),
    "xlsx": FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
    "pptx": FileKind("application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",)),
    "odt": FileKind("application/vnd.oasis.opendocument.text", (".odt",)),
    "ods": FileKind("application/vnd.oasis.opendocument.spreadsheet", (".ods",)),
    "ole": FileKind("application/octet-stream", (".doc", ".xls", ".ppt", ".msg")),
    "text": FileKind("text/plain", (".txt", ".log", ".csv")),
}
ALLOWED_EXTENSIONS = sorted({ext for kind in KINDS.values() for ext in kind.extensions})
# Text that a browser would run or render as a page is refused even when named .txt.
MARKUP = re.compile(
    rb"<\s*(script|html|svg|iframe|object|embed|body|img|a\s|meta|link|style|\?xml)", re.IGNORECASE
)


def max_bytes() -> int:
    return settings.ATTACHMENT_MAX_BYTES


def clean_filename(name: str) -> str:
    """The last path part, without control characters, quotes or separators; at most 120 characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'["<>:|?*;]', "_", name).strip(" .")
    if len(name) > 120:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 110 - len(ext)] + dot + ext) if dot and len(ext) <= 8 else name[:120]
    return name or "file"


def _extension(name: str) -> str:
    return ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""


def sniff(head: bytes, data: bytes) -> str | None:
    """The kind of file by its content, or None when it is not one we accept."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(OLE):
        return "ole"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if b"\x00" not in data and not MARKUP.search(data[:65536]):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "text"
    return None


def _zip_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                return {
                    "application/vnd.oasis.opendocument.text": "odt",
                    "application/vnd.oasis.opendocument.spreadsheet": "ods",
                }.get(mimetype)
            if "[Content_Types].xml" in names:
                tops = {name.split("/", 1)[0] for name in names}
                for top, kind in (("word", "docx"), ("xl", "xlsx"), ("ppt", "pptx")):
                    if top in tops:
                        return kind
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    return None


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    size: int
    sha256: str
    data: bytes


def attachment_check(upload) -> CheckedFile:
    """Read an upload and decide whether we keep it; ValidationError in plain words when not."""
    name = clean_filename(getattr(upload, "name", ""))
    limit = max_bytes()
    if getattr(upload, "size", 0) > limit:
        raise ValidationError(f"{name} is larger than {limit // (1024 * 1024)} MB.", code="too_large")
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(f"{name} is larger than {limit // (1024 * 1024)} MB.", code="too_large")
    if not data:
        raise ValidationError(f"{name} is empty.", code="empty")
    extension = _extension(name)
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError(
            f"{name}: files of this type cannot be attached. Allowed: {', '.join(ALLOWED_EXTENSIONS)}.",
            code="type",
        )
    kind = sniff(data[:16], data)
    if kind is None or extension not in KINDS[kind].extensions:
        raise ValidationError(
            f"{name}: the file's content does not match its name ({extension}).", code="content"
        )
    content_type = KINDS[kind].content_type
    if kind == "ole":
        content_type = {
            ".doc": "application/msword",
            ".xls": "application/vnd.ms-excel",
            ".ppt": "application/vnd.ms-powerpoint",
        }.get(extension, "application/octet-stream")
    return CheckedFile(name, content_type, len(data), hashlib.sha256(data).hexdigest(), data)


def attachments_check(uploads) -> list[CheckedFile]:
    uploads = list(uploads or [])
    if len(uploads) > settings.ATTACHMENT_MAX_FILES:
        raise ValidationError(f"At most {settings.ATTACHMENT_MAX_FILES} files at a time.", code="too_many")
    return [attachment_check(upload) for upload in uploads]
