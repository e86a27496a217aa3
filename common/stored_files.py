"""Files on disk that no row names: removed by a daily beat sweep.

A file field's file is written when the row is saved, inside the caller's transaction, but the disk is not
part of the transaction: when the transaction rolls back (a conflict after the files were stored, the
database gone mid-request) or the process dies before it commits, the file stays with no row pointing at
it. An uploaded attachment may hold a resident's ID copy or a payslip: such a file must not stay on the
server for ever, unseen by anyone (issue 16's own search for the next faults).

The sweep looks only in the media folders the desk's file fields write to (`STORED_FILE_FOLDERS`), and
only at files older than `ORPHAN_AGE`, far longer than any transaction, so a file whose row is about to
commit is never taken. Which names are in use is read from every model's file fields through Django's app
registry, so the ground floor names no app.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.utils import timezone

logger = logging.getLogger(__name__)

ORPHAN_AGE = timedelta(days=1)


def names_in_use() -> set[str]:
    """Every file name a row of any model names, in the default storage."""
    names: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField) and field.storage is default_storage:
                names.update(
                    model._default_manager.exclude(**{field.name: ""}).values_list(field.name, flat=True)
                )
    return names


def stored_files_remove_orphans(*, now: datetime | None = None) -> int:
    """Remove files under the file fields' folders that no row names and that are older than ORPHAN_AGE;
    returns how many. Safe to run twice or from two beats (a file already gone is skipped)."""
    try:
        root = Path(default_storage.path(""))
    except NotImplementedError:  # a remote storage: its own lifecycle rules apply
        return 0
    cutoff = ((now or timezone.now()) - ORPHAN_AGE).timestamp()
    in_use = names_in_use()
    removed = 0
    for folder in settings.STORED_FILE_FOLDERS:
        for directory, _subfolders, files in os.walk(root / folder):
            for file_name in files:
                path = Path(directory) / file_name
                name = path.relative_to(root).as_posix()
                try:
                    if name in in_use or path.stat().st_mtime >= cutoff:
                        continue
                    path.unlink()
                except FileNotFoundError:
                    continue
                removed += 1
                logger.info("removed %s: no row names it (a rolled-back or interrupted save)", name)
    return removed
