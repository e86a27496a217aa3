"""A Django admin mixin: "Import CSV" and "Export CSV" buttons on a model's change list.

The model admin names two functions of its app: `csv_export(queryset) -> (header, rows)` and
`csv_import(upload, user) -> int` (rows written; raises spreadsheets.ImportRefused and writes nothing
when any row is bad). The rules live in those functions; this mixin only carries files in and out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from .spreadsheets import MAX_IMPORT_BYTES, ImportRefused, RowError, csv_response

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

    _AdminBase = ModelAdmin[Any]  # the mixin is only ever mixed into a ModelAdmin
    # staticmethod, not Callable: mypy would bind a Callable class attribute as a method
    CsvExport = staticmethod[[QuerySet[Any]], tuple[Sequence[str], Iterable[Sequence[Any]]]]
    CsvImport = staticmethod[[UploadedFile, Any], int]
else:
    _AdminBase = object


class CsvUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=f"UTF-8 CSV with a header row, at most {MAX_IMPORT_BYTES // (1024 * 1024)} MB.",
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        # FileField.clean has refused a file without a name or size; the stubs allow None
        if not (upload.name or "").lower().endswith(".csv"):
            raise forms.ValidationError("Choose a .csv file (in a spreadsheet: Save as, CSV UTF-8).")
        if (upload.size or 0) > MAX_IMPORT_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB.")
        return upload


class CsvImportExportMixin(_AdminBase):
    change_list_template = "admin/csv_change_list.html"
    csv_export: ClassVar[CsvExport | None] = None  # staticmethod(queryset) -> (header, rows)
    csv_import: ClassVar[CsvImport | None] = None  # staticmethod(upload, user) -> int
    csv_columns_help = ""

    def get_urls(self) -> list[URLPattern]:
        prefix = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("import-csv/", wrap(self.import_csv_view), name=f"{prefix}_import_csv"),
            path("export-csv/", wrap(self.export_csv_view), name=f"{prefix}_export_csv"),
            *super().get_urls(),
        ]

    def export_csv_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        export = type(self).csv_export
        if export is None:
            raise ImproperlyConfigured(f"{type(self).__name__} names no csv_export")
        header, rows = export(self.get_queryset(request))
        stamp = timezone.localtime().strftime("%Y-%m-%d")
        return csv_response(f"{self.model._meta.model_name}s-{stamp}.csv", header, rows)

    def import_csv_view(self, request: HttpRequest) -> HttpResponseBase:
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        errors: list[RowError] = []
        form = CsvUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                csv_import = type(self).csv_import
                if csv_import is None:
                    raise ImproperlyConfigured(f"{type(self).__name__} names no csv_import")
                count = csv_import(form.cleaned_data["file"], request.user)
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
