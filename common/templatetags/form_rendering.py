"""Form fields rendered in Python: the same HTML as Django's widget templates, at a fraction of the cost.

Django renders each widget, each <option> and each checkbox through its own template (three template
lookups and renders per option), and reads each pick-list through a server-side cursor; the queue's filter
form and the ticket page's action forms spent 12-30 ms per request on it (docs/performance.md). These
filters build the same tags from the widget's own get_context(), so attributes, values, selection and
escaping stay Django's. Any widget whose template is not one of Django's plain ones (a file input, a
custom template) is rendered the usual way.
"""

from __future__ import annotations

import copy
from typing import Any, cast

from django import template
from django.forms import BaseForm, Widget
from django.forms.boundfield import BoundField, BoundWidget
from django.forms.models import ModelChoiceIterator
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "text",
        "number",
        "email",
        "url",
        "hidden",
        "password",
        "date",
        "datetime",
        "time",
        "checkbox",
    )
)
_SELECT_TEMPLATE = "django/forms/widgets/select.html"
_OPTION_TEMPLATE = "django/forms/widgets/select_option.html"
_TEXTAREA_TEMPLATE = "django/forms/widgets/textarea.html"
_CHOICE_TEMPLATES = frozenset(
    ("django/forms/widgets/checkbox_option.html", "django/forms/widgets/radio_option.html")
)


def _attrs(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html: in order; True alone, False left out, anything else as text."""
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict[str, Any]) -> str:
    """django/forms/widgets/input.html."""
    value = "" if widget["value"] is None else f' value="{conditional_escape(str(widget["value"]))}"'
    kind, name = conditional_escape(widget["type"]), conditional_escape(widget["name"])
    return f'<input type="{kind}" name="{name}"{value}{_attrs(widget["attrs"])}>'


def _select(widget: dict[str, Any]) -> str | None:
    """django/forms/widgets/select.html and select_option.html; None when an option has its own template."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            if option["template_name"] != _OPTION_TEMPLATE:
                return None
            parts.append(
                f'\n  <option value="{conditional_escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>\n"  # the option template's own newline
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _read_at_once(choices: ModelChoiceIterator) -> ModelChoiceIterator:
    """The same pick-list, its rows read in one plain query. ModelChoiceIterator reads them with
    QuerySet.iterator(), which on PostgreSQL is a server-side cursor: DECLARE, FETCH and CLOSE, three
    round trips for a dozen rows, each one waiting for a busy CPU. The copy's queryset hands out the
    rows it has read instead (django-filter's iterator, which adds "Nobody yet", works the same)."""
    rows = list(choices.queryset.all())
    queryset = choices.queryset.all()
    # the stand-in iterator is the point here; mypy forbids assigning to a method
    queryset.iterator = lambda *args, **kwargs: iter(rows)  # type: ignore[method-assign]
    listed = copy.copy(choices)
    listed.queryset = queryset
    return listed


class _InPython:
    """Stands in for a widget in BoundField.as_widget (which still works out the name, id, value and the
    required, disabled and aria attributes) and renders the tag in Python."""

    def __init__(self, widget: Widget) -> None:
        self._widget = widget

    def __getattr__(self, name: str) -> Any:
        return getattr(self._widget, name)

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self._widget
        choices = getattr(widget, "choices", None)
        if isinstance(choices, ModelChoiceIterator):
            widget = copy.copy(widget)
            cast(Any, widget).choices = _read_at_once(choices)  # a choice widget: Widget declares no choices
        context = widget.get_context(name, value, attrs)["widget"]
        html = None
        if widget.template_name in _INPUT_TEMPLATES:
            html = _input(context)
        elif widget.template_name == _SELECT_TEMPLATE:
            html = _select(context)
        elif widget.template_name == _TEXTAREA_TEMPLATE:
            text = conditional_escape(context["value"]) if context["value"] else ""
            name = conditional_escape(context["name"])
            html = f'<textarea name="{name}"{_attrs(context["attrs"])}>\n{text}</textarea>'
        if html is None:
            return widget.render(name, value, attrs, renderer)
        return mark_safe(html)  # noqa: S308 - every value above went through conditional_escape


@register.filter
def fast_widget(bound_field: BoundField) -> SafeString:
    """{{ field|fast_widget }}: the same as {{ field }}, in Python where Django's template is a plain one."""
    if bound_field.field.localize:  # as_widget would set is_localized on the stand-in, not the widget
        return bound_field.as_widget()
    # _InPython is a duck-typed stand-in for the widget: as_widget only calls what it forwards
    return bound_field.as_widget(widget=cast(Widget, _InPython(bound_field.field.widget)))


@register.filter
def fast_choice(bound_widget: BoundWidget) -> SafeString:
    """{{ choice|fast_choice }} for one checkbox or radio button: the same as {{ choice.tag }}."""
    if bound_widget.data.get("template_name") not in _CHOICE_TEMPLATES:
        return bound_widget.tag()
    return format_html("{}", mark_safe(_input(bound_widget.data)))  # noqa: S308 - escaped in _input


_CHOICE_WIDGETS = frozenset(("radioselect", "checkboxselectmultiple"))


def _help_and_errors(bound_field: BoundField) -> str:
    help_text = bound_field.help_text
    help_html = f'<small class="help">{conditional_escape(help_text)}</small>' if help_text else ""
    errors = "".join(f'<p class="error">{conditional_escape(str(error))}</p>' for error in bound_field.errors)
    return f"\n  {help_html}\n  {errors}\n"


def _label_text(bound_field: BoundField) -> str:
    star = ' <span aria-hidden="true">*</span>' if bound_field.field.required else ""
    return f"{conditional_escape(bound_field.label)}{star}"


@register.filter
def fast_field(bound_field: BoundField) -> SafeString:
    """{{ field|fast_field }}: one field with its label, help and errors (a div of class "field"); in
    Python, since a page of forms spent a third of its template time including a small template per field.
    The markup is written here only (tests/common/test_form_rendering.py keeps the template it replaced
    and compares the two)."""
    has_errors = " has-errors" if bound_field.errors else ""
    return mark_safe(  # noqa: S308 - every value went through conditional_escape or Django's widget code
        f'<div class="field{has_errors}">\n'
        f'  <label for="{conditional_escape(bound_field.id_for_label)}">{_label_text(bound_field)}</label>\n'
        f"  {fast_widget(bound_field)}{_help_and_errors(bound_field)}</div>\n"
    )


@register.filter
def fast_choice_field(bound_field: BoundField) -> SafeString:
    """{{ field|fast_choice_field }}: radio buttons or checkboxes in a fieldset whose legend is the label."""
    has_errors = " has-errors" if bound_field.errors else ""
    choices = "".join(
        f'<label class="choice">{fast_choice(choice)} '
        f"<span>{conditional_escape(choice.choice_label)}</span></label>"
        for choice in bound_field
    )
    return mark_safe(  # noqa: S308 - as above
        f'<fieldset class="field choices{has_errors}">\n'
        f"  <legend>{_label_text(bound_field)}</legend>\n"
        f"  {choices}{_help_and_errors(bound_field)}</fieldset>\n"
    )


@register.filter
def fast_fields(form: BaseForm, leave_out: str = "") -> SafeString:
    """{{ form|fast_fields }}: every visible field of the form, choices as a fieldset, the rest as fields;
    {{ form|fast_fields:"q,page" }} leaves the named fields out (shown elsewhere on the page)."""
    left_out = set(leave_out.split(","))
    return mark_safe(  # noqa: S308 - as above
        "".join(
            fast_choice_field(field) if field.widget_type in _CHOICE_WIDGETS else fast_field(field)
            for field in form.visible_fields()
            if field.name not in left_out
        )
    )
