"""Admin inlines whose every input has a label.

Django's tabular inline names its columns in the table head only: a screen reader meets each cell's input
unnamed (axe-core: "label", "select-name", critical). Each widget here carries its field's label as
aria-label; and the inline sits in a named region that scrolls sideways on a narrow screen
(admin/edit_inline/labelled_tabular.html), so a wide table never widens the page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest

if TYPE_CHECKING:
    _InlineBase = admin.TabularInline[Any, Any]  # generic in the stubs only
else:
    _InlineBase = admin.TabularInline


class LabelledTabularInline(_InlineBase):
    template = "admin/edit_inline/labelled_tabular.html"

    def formfield_for_dbfield(
        self, db_field: models.Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            # Related fields come wrapped (the add/change links); the input is the inner widget.
            widget = cast(forms.Widget, getattr(field.widget, "widget", field.widget))
            widget.attrs.setdefault("aria-label", str(field.label or db_field.verbose_name).capitalize())
        return field
