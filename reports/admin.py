from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from .models import ReportRun, ReportSettings, StoredMonthFigures, StoredReport


@admin.register(ReportSettings)
class ReportSettingsAdmin(admin.ModelAdmin):
    """One row: the cost per technician-hour behind the cost per ticket (docs/kpis.md)."""

    fields = ("cost_per_technician_hour", "technicians", "updated_at")
    readonly_fields = ("updated_at",)

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not ReportSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        obj.pk = 1  # the singleton
        super().save_model(request, obj, form, change)


@admin.register(ReportRun)
class ReportRunAdmin(admin.ModelAdmin):
    """Read-only: runs are made, commented and signed off on the reports pages, where the rules live."""

    list_display = ("__str__", "status", "automatic", "requested_by", "created_at", "signed_off_by", "page")
    list_filter = ("status", "automatic", "month")
    list_select_related = ("requested_by", "signed_off_by")
    exclude = ("snapshot", "build_token")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Report page")
    def page(self, run):
        return format_html('<a href="{}">open</a>', reverse("reports:run_detail", args=[run.pk]))


@admin.register(StoredMonthFigures)
class StoredMonthFiguresAdmin(admin.ModelAdmin):
    """The ended months' figures the dashboard keeps until a ticket change marks the month stale
    (docs/kpis.md). Read-only; deleting rows has the next count of a report that shows those months count
    them again (after a bulk correction, say)."""

    list_display = ("month", "scope", "counted_at")
    list_filter = ("month",)
    exclude = ("figures",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(StoredReport)
class StoredReportAdmin(admin.ModelAdmin):
    """The reports the dashboard and the KPI API read (never count): a month so far recounted by beat,
    an ended month when a ticket change marks it stale (docs/kpis.md). Read-only; deleting a row has the
    next request for it queue its count and say so meanwhile."""

    list_display = ("month", "so_far", "scope", "counted_at")
    list_filter = ("month", "so_far")
    exclude = ("report",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
