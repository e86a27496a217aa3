"""Form fields rendered in Python (common/templatetags/form_rendering.py) give Django's own HTML."""

import pytest
from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.template import engines

from common.templatetags.form_rendering import (
    fast_choice,
    fast_choice_field,
    fast_field,
    fast_fields,
    fast_widget,
)
from incidents.filters import TicketFilter
from incidents.forms import RatingForm, ReplyForm

pytestmark = pytest.mark.django_db


class Everything(forms.Form):
    text = forms.CharField(max_length=5, help_text="Help <b>", initial='"quoted" & <tag>')
    number = forms.IntegerField(min_value=1, required=False)
    choice = forms.ChoiceField(choices=[("", "Choose..."), ("1", "One <1>"), ("2", "Two")], initial="2")
    grouped = forms.ChoiceField(choices=[("Group", [("a", "A"), ("b", "B")]), ("c", "C")])
    several = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], initial=["y"])
    body = forms.CharField(widget=forms.Textarea, initial="Line one\n<script>")
    flag = forms.BooleanField(initial=True, disabled=True)
    hidden = forms.IntegerField(widget=forms.HiddenInput, initial=7)
    boxes = forms.MultipleChoiceField(
        choices=[("p", "P"), ("q", "Q")], widget=forms.CheckboxSelectMultiple, initial=["q"]
    )
    radio = forms.ChoiceField(choices=[("r", "R"), ("s", "S")], widget=forms.RadioSelect)
    upload = forms.FileField(required=False)


@pytest.mark.parametrize("bound", [False, True])
def test_every_plain_widget_renders_as_django_renders_it(bound):
    data = {"text": "toolong<", "choice": "9", "several": ["x"], "boxes": ["p"], "radio": "s"}
    form = Everything(data) if bound else Everything()
    if bound:
        assert not form.is_valid()  # errors add aria-invalid
    for field in form:
        assert str(fast_widget(field)) == str(field), field.name
    for name in ("boxes", "radio"):
        for choice in form[name]:
            assert str(fast_choice(choice)) == str(choice.tag()), name


def test_the_ticket_forms_render_as_django_renders_them(technician_user):
    for form in (
        TicketFilter({"priority": ["1", "2"], "site": "nope", "q": "<b>"}).form,
        RatingForm(initial={"version": 3}),
        ReplyForm(initial={"version": 3}),
    ):
        for field in form:
            assert str(fast_widget(field)) == str(field), field.name


def test_a_pick_list_is_read_in_one_plain_query():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    form = TicketFilter({}).form
    with CaptureQueriesContext(connection) as captured:
        html = str(fast_widget(form["site"]))
    assert len(captured) == 1
    assert not captured[0]["sql"].startswith("DECLARE")  # no server-side cursor (three round trips)
    assert "Dutywa Main Building" in html


# The templates fast_field, fast_choice_field and fast_fields replaced (templates/includes/field.html,
# incidents/includes/choice_field.html, the loop of common/includes/fields.html), kept here to compare.
REQUIRED = '{% if field.field.required %} <span aria-hidden="true">*</span>{% endif %}'
HELP_AND_ERRORS = (
    '  {% if field.help_text %}<small class="help">{{ field.help_text }}</small>{% endif %}\n'
    '  {% for error in field.errors %}<p class="error">{{ error }}</p>{% endfor %}\n'
)
FIELD_TEMPLATE = (
    '{% load form_rendering %}<div class="field{% if field.errors %} has-errors{% endif %}">\n'
    f'  <label for="{{{{ field.id_for_label }}}}">{{{{ field.label }}}}{REQUIRED}</label>\n'
    "  {{ field|fast_widget }}\n" + HELP_AND_ERRORS + "</div>\n"
)
CHOICE_TEMPLATE = (
    '{% load form_rendering %}<fieldset class="field choices{% if field.errors %} has-errors{% endif %}">\n'
    f"  <legend>{{{{ field.label }}}}{REQUIRED}</legend>\n"
    '  {% for choice in field %}<label class="choice">{{ choice|fast_choice }} '
    "<span>{{ choice.choice_label }}</span></label>{% endfor %}\n" + HELP_AND_ERRORS + "</fieldset>\n"
)


def _as_template_renders(template: str, field) -> str:
    return engines["django"].from_string(template).render({"field": field})


def _forms(technician_user):
    data = {"text": "toolong<", "choice": "9", "several": ["x"], "boxes": ["p"], "radio": "s"}
    bound = Everything(data)
    assert not bound.is_valid()
    refused = PasswordChangeForm(technician_user, {"old_password": "wrong", "new_password1": "a"})
    assert not refused.is_valid()
    return [
        Everything(),
        bound,
        TicketFilter({"priority": ["1", "2"], "site": "nope", "q": "<b>"}).form,
        RatingForm(initial={"version": 3}),
        ReplyForm(initial={"version": 3}),
        PasswordChangeForm(technician_user),
        refused,
    ]


def test_fields_render_as_the_templates_they_replaced(technician_user):
    for form in _forms(technician_user):
        expected_loop = []
        for field in form:
            assert str(fast_field(field)) == _as_template_renders(FIELD_TEMPLATE, field), field.name
            choice = field.widget_type in ("radioselect", "checkboxselectmultiple")
            if choice:
                assert str(fast_choice_field(field)) == _as_template_renders(CHOICE_TEMPLATE, field), (
                    field.name
                )
            if not field.is_hidden:
                expected_loop.append(fast_choice_field(field) if choice else fast_field(field))
        assert str(fast_fields(form)) == "".join(expected_loop)
    assert '<div class="field has-errors">' in str(fast_fields(_forms(technician_user)[1]))
    assert "toolong&lt;" in str(fast_field(_forms(technician_user)[1]["text"]))
    assert "<legend>Radio <span" in str(fast_choice_field(_forms(technician_user)[1]["radio"]))
