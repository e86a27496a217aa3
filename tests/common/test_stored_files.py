"""Files a rolled-back save left on disk with no row: the daily sweep removes them (common/stored_files.py).

An attachment's file is written inside the transaction, but the disk does not roll back with it: before
this sweep, a conflict or a database drop after the files were stored left a resident's upload on the
server for ever, named by no row and seen by nobody."""

import os
import time
from datetime import date
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, models, transaction
from django.utils import timezone

from common.tasks import remove_orphaned_files
from incidents import services
from incidents.models import Attachment
from knowledge.models import ArticleImage
from reports.models import ReportRun
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def files_under(root: Path) -> set[str]:
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}


def age(root: Path, *names: str, days: float = 2) -> None:
    then = time.time() - days * 86400
    for name in names:
        os.utime(root / name, (then, then))


def test_a_rolled_back_attachment_leaves_no_file_behind_after_the_sweep(media, staff_user):
    ticket = TicketFactory(requester=staff_user)
    [kept] = services.ticket_attach(ticket=ticket, by=staff_user, files=[SimpleUploadedFile("a.png", PNG)])

    with pytest.raises(DatabaseError), transaction.atomic():
        services.ticket_attach(ticket=ticket, by=staff_user, files=[SimpleUploadedFile("id-copy.png", PNG)])
        raise DatabaseError("the database went away before the commit")

    on_disk = files_under(media)
    assert Attachment.objects.count() == 1
    [orphan] = on_disk - {kept.file.name}  # the fault: the file stayed though its row is gone
    age(media, orphan, kept.file.name)

    assert remove_orphaned_files() == 1
    assert files_under(media) == {kept.file.name}
    assert remove_orphaned_files() == 0  # twice changes nothing more


def test_a_young_file_and_files_outside_the_folders_are_left_alone(media):
    (media / "attachments" / "2026" / "12").mkdir(parents=True)
    (media / "attachments" / "2026" / "12" / "just-written").write_bytes(b"its row commits in a moment")
    (media / "elsewhere").mkdir()
    (media / "elsewhere" / "old-note.txt").write_bytes(b"not ours")
    age(media, "elsewhere/old-note.txt")

    assert remove_orphaned_files() == 0
    assert files_under(media) == {"attachments/2026/12/just-written", "elsewhere/old-note.txt"}


def test_report_files_of_a_run_are_kept_and_stray_ones_removed(media, settings):
    run = ReportRun.objects.create(month=date(2026, 10, 1), version=1)
    run.pdf.save("r.pdf", SimpleUploadedFile("r.pdf", b"%PDF-1.7"), save=True)
    stray = "reports/2026-10/v1/left-by-a-failed-save.pdf"
    (media / stray).write_bytes(b"%PDF-1.7")
    age(media, stray, run.pdf.name)

    assert remove_orphaned_files() == 1
    assert files_under(media) == {run.pdf.name}


def test_the_sweep_looks_in_every_file_fields_folder(settings):
    """A new file field needs its folder in STORED_FILE_FOLDERS, or its strays are never removed."""
    with_files = {
        model
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    }
    assert with_files == {Attachment, ReportRun, ArticleImage}
    names = [
        Attachment._meta.get_field("file").generate_filename(Attachment(created_at=timezone.now()), "x"),
        ReportRun._meta.get_field("pdf").generate_filename(
            ReportRun(month=date(2026, 10, 1), version=1), "x"
        ),
        ArticleImage._meta.get_field("file").generate_filename(ArticleImage(created_at=timezone.now()), "x"),
    ]
    assert all(name.split("/")[0] in settings.STORED_FILE_FOLDERS for name in names)
    assert "stored-files-remove-orphans" in settings.CELERY_BEAT_SCHEDULE
