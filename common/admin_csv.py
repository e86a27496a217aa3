"""A Django admin mixin: "Import CSV" and "Export CSV" buttons on a model's change list.

The model admin names two functions of its app: `csv_export(queryset) -> (header, rows)` and
`csv_import(upload, user) -> int` (rows written; raises spreadsheets.ImportRefused and writes nothing
when any row is bad). The rules live in those functions; this mixin only carries files in and out.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from .spreadsheets import MAX_IMPORT_BYTES, ImportRefused, csv_response


class CsvUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=f"UTF-8 CSV with a header row, at most {MAX_IMPORT_BYTES // (1024 * 1024)} MB.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError("Choose a .csv file (in a spreadsheet: Save as, CSV UTF-8).")
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB.")
        return upload


class CsvImportExportMixin:
    change_list_template = "admin/csv_change_list.html"
    csv_export = None  # staticmethod(queryset) -> (header, rows)
    csv_import = None  # staticmethod(upload, user) -> int
    csv_columns_help = ""

    def get_urls(self):
        prefix = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("import-csv/", wrap(self.import_csv_view), name=f"{prefix}_import_csv"),
            path("export-csv/", wrap(self.export_csv_view), name=f"{prefix}_export_csv"),
            *super().get_urls(),
        ]

    def export_csv_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        header, rows = type(self).csv_export(self.get_queryset(request))
        stamp = timezone.localtime().strftime("%Y-%m-%d")
        return csv_response(f"{self.model._meta.model_name}s-{stamp}.csv", header, rows)

    def import_csv_view(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        errors = []
        form = CsvUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                count = type(self).csv_import(form.cleaned_data["file"], request.user)
            except ImportRefused as refused:
                errors = refused.errors
            else:
                messages.success(request, f"Imported {count} row(s) from {form.cleaned_data['file'].name}.")
                opts = self.model._meta
                return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Import {self.model._meta.verbose_name_plural} from CSV",
            "form": form,
            "errors": errors,
            "columns_help": self.csv_columns_help,
        }
        return TemplateResponse(request, "admin/csv_import.html", context, status=400 if errors else 200)
