"""The ticket page's pick-lists, built once per process: the suppliers (waiting on a third party), the
support groups and the people who may be assigned. Every view of an open ticket shows them and they
change rarely, so their choices are kept here until one of their rows is saved or deleted in this process
(the signals in IncidentsConfig.ready) and for at most PICK_LIST_TTL_SECONDS otherwise (another process's
edit), as slas.calendars keeps the calendars (issue 22: each was a query compiled on every ticket page).
Only what a page shows is kept: a posted choice is still looked up in the field's queryset, so a supplier
or person removed in another process is refused at once.
"""

from __future__ import annotations

import threading
import time as clock
from typing import Any

from django import forms

PICK_LIST_TTL_SECONDS = 60  # other processes' edits show within a minute

_cache: dict[str, tuple[float, list]] = {}
_lock = threading.Lock()


def use_cached_choices(field: forms.ModelChoiceField, key: str) -> None:
    """Give the field the choices this process built under `key` (building them first when there are
    none, or they are older than the TTL). `key` names the field's queryset and empty label."""
    now = clock.monotonic()
    with _lock:
        cached = _cache.get(key)
    if cached and now - cached[0] < PICK_LIST_TTL_SECONDS:
        choices = cached[1]
    else:
        built: Any = field.choices  # a ModelChoiceIterator (django-stubs types every kind of choices)
        choices = list(iter(built))  # iter: list() would ask the iterator's len, a COUNT query
        with _lock:
            _cache[key] = (now, choices)
    field.choices = choices


def forget_pick_lists(*args: Any, **kwargs: Any) -> None:
    with _lock:
        _cache.clear()
