"""Forms built from the catalogue: the extra questions of a service request."""

from __future__ import annotations

from django import forms

from .models import RequestField

FieldType = RequestField.FieldType


def request_form_field(field: RequestField) -> forms.Field:
    """The Django form field that asks one RequestField's question; the one place answers are checked."""
    common = {"label": field.label, "required": field.required, "help_text": field.help_text}
    if field.field_type == FieldType.LONG_TEXT:
        return forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 4}), **common)
    if field.field_type == FieldType.NUMBER:
        return forms.IntegerField(min_value=0, max_value=1_000_000, **common)
    if field.field_type == FieldType.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if field.field_type == FieldType.CHOICE:
        choices = [("", "Choose...")] if not field.required else []
        return forms.ChoiceField(choices=choices + [(c, c) for c in field.choice_list], **common)
    if field.field_type == FieldType.YES_NO:
        return forms.TypedChoiceField(
            choices=[("", "Choose..."), ("yes", "Yes"), ("no", "No")],
            coerce=lambda value: value == "yes",
            empty_value=None,
            **common,
        )
    if field.field_type == FieldType.EMAIL:
        return forms.EmailField(max_length=254, **common)
    return forms.CharField(max_length=250, **common)


class RequestAnswersForm(forms.Form):
    """The extra questions of one service, prefixed so they sit beside the ticket form's own fields."""

    def __init__(self, *args, request_fields, **kwargs):
        kwargs.setdefault("prefix", "answers")
        super().__init__(*args, **kwargs)
        for field in request_fields:
            self.fields[field.key] = request_form_field(field)
