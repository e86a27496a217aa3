"""What may be attached: checked by content, not only by name; names cleaned; size and count limits."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from incidents.attachments import attachment_check, attachments_check, clean_filename

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


def upload(name, data):
    return SimpleUploadedFile(name, data)


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("screen.png", PNG, "image/png"),
        ("invoice.pdf", PDF, "application/pdf"),
        ("error log.txt", b"Molo: printer error 0x50 at Willowvale", "text/plain"),
        (
            "letter.docx",
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("PHOTO.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 32, "image/jpeg"),
    ],
)
def test_accepted_files(name, data, content_type):
    checked = attachment_check(upload(name, data))
    assert checked.content_type == content_type
    assert checked.size == len(data)
    assert len(checked.sha256) == 64


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        (
            "drawing.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "cannot be attached",
        ),
        ("page.html", b"<html><body>hi</body></html>", "cannot be attached"),
        ("photo.png", b"<html><script>alert(1)</script></html>", "does not match"),
        ("notes.txt", b"hello <script>alert(1)</script>", "does not match"),
        ("report.pdf.exe", b"MZ\x90\x00", "cannot be attached"),
        ("invoice.pdf", PNG, "does not match"),
        ("letter.docx", b"PK\x03\x04 not really a zip", "does not match"),
        ("empty.txt", b"", "is empty"),
    ],
)
def test_refused_files(name, data, reason):
    with pytest.raises(ValidationError, match=reason):
        attachment_check(upload(name, data))


def test_size_limit(settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(ValidationError, match="larger than"):
        attachment_check(upload("big.txt", b"a" * 1025))


def test_count_limit(settings):
    settings.ATTACHMENT_MAX_FILES = 2
    with pytest.raises(ValidationError, match="At most 2 files"):
        attachments_check([upload(f"{n}.txt", b"x") for n in range(3)])


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\boot.ini.txt", "boot.ini.txt"),
        ('"><img src=x onerror=alert(1)>.png', "___img src=x onerror=alert(1)_.png"),
        ("line\r\nbreak.txt", "linebreak.txt"),
        ("", "file"),
        ("a" * 300 + ".pdf", "a" * 107 + ".pdf"),
    ],
)
def test_file_names_are_cleaned(given, expected):
    assert clean_filename(given) == expected
