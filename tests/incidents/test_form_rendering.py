"""Form fields rendered in Python (incidents/templatetags/form_rendering.py) give Django's own HTML."""

import pytest
from django import forms

from incidents.filters import TicketFilter
from incidents.forms import RatingForm, ReplyForm
from incidents.templatetags.form_rendering import fast_choice, fast_widget

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
