"""Admin inlines whose every input has a label.

Django's tabular inline names its columns in the table head only: a screen reader meets each cell's input
unnamed (axe-core: "label", "select-name", critical). Each widget here carries its field's label as
aria-label.
"""

from django.contrib import admin


class LabelledTabularInline(admin.TabularInline):
    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            # Related fields come wrapped (the add/change links); the input is the inner widget.
            widget = getattr(field.widget, "widget", field.widget)
            widget.attrs.setdefault("aria-label", str(field.label or db_field.verbose_name).capitalize())
        return field
