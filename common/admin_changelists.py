"""Admin change lists whose editable cells have labels.

Django's `list_editable` renders each row's inputs in the table's cells: the column name is in the table
head only, so a screen reader meets every input unnamed (axe-core: "label", "select-name", critical), and
nine "Priority" selects would all sound alike anyway. Each input here is named for its column and its
row: "Priority of high impact, low urgency", "Display order of Accounts and access".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.db import models
from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

    _AdminBase = ModelAdmin[Any]  # the mixin is only ever mixed into a ModelAdmin
else:
    _AdminBase = object


def input_widget(field: forms.Field) -> forms.Widget:
    """The widget that draws the input: related fields come wrapped (the add/change links)."""
    return cast(forms.Widget, getattr(field.widget, "widget", field.widget))


class LabelledListEditableMixin(_AdminBase):
    """Gives each `list_editable` input an aria-label: its column's label and its row's name."""

    def editable_row_name(self, obj: models.Model) -> str:
        """The row's name in its inputs' labels; a model whose str() says more than its name overrides."""
        return str(obj)

    def get_changelist_form(self, request: HttpRequest, **kwargs: Any) -> type[forms.ModelForm[Any]]:
        base = super().get_changelist_form(request, **kwargs)
        row_name = self.editable_row_name

        class LabelledRowForm(base):  # type: ignore[valid-type,misc]  # a class made at run time
            def __init__(self, *args: Any, **form_kwargs: Any) -> None:
                super().__init__(*args, **form_kwargs)
                # Each form holds deep copies of its fields' widgets: one row's labels stay its own.
                name = row_name(self.instance) if self.instance.pk else ""
                for field_name, field in self.fields.items():
                    column = str(field.label or field_name)
                    label = f"{column} of {name}" if name else column
                    input_widget(field).attrs["aria-label"] = label

        return LabelledRowForm
