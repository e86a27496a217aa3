from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from common.admin_csv import CsvImportExportMixin
from common.admin_inlines import LabelledTabularInline

from . import services
from .models import Asset, Building, Site


class BuildingInline(LabelledTabularInline):
    model = Building
    extra = 0
    fields = ("name", "connected", "connection_type", "notes")


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "town",
        "connection_type",
        "computer_users",
        "buildings",
        "buildings_connected",
        "network_points",
        "network_printers",
        "telephones",
    )
    list_filter = ("town", "connection_type")
    search_fields = ("name", "connection_type")
    ordering = ("table_order", "name")
    inlines = [BuildingInline]
    readonly_fields = ("asset_register",)

    @admin.display(description="Assets")
    def asset_register(self, site):
        if site.pk is None:
            return "-"
        url = reverse("admin:sites_asset_changelist")
        return format_html('<a href="{}?site__id__exact={}">This site\'s assets</a>', url, site.pk)


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ("name", "site", "connected", "connection_type")
    list_filter = ("site__town", "site", "connected")
    search_fields = ("name", "site__name", "connection_type", "notes")
    list_select_related = ("site",)
    autocomplete_fields = ("site",)


def _import_asset_register(upload, user) -> int:
    return services.asset_register_import(upload=upload, user=user)


@admin.register(Asset)
class AssetAdmin(CsvImportExportMixin, SimpleHistoryAdmin):
    list_display = (
        "asset_tag",
        "type",
        "make",
        "model",
        "site",
        "building",
        "status",
        "assigned_to",
        "warranty_expires",
    )
    list_filter = ("type", "status", "site__town", "site")
    search_fields = (
        "asset_tag",
        "serial",
        "make",
        "model",
        "assigned_to__username",
        "assigned_to__first_name",
        "assigned_to__last_name",
    )
    list_select_related = ("site", "building__site", "assigned_to")
    autocomplete_fields = ("site", "building", "assigned_to", "far_site")
    ordering = ("asset_tag",)
    fieldsets = (
        (None, {"fields": ("asset_tag", "type", "make", "model", "serial", "status", "notes")}),
        ("Where and who", {"fields": ("site", "building", "location", "assigned_to")}),
        ("Purchase", {"fields": ("purchase_date", "warranty_expires")}),
        ("Network links only", {"fields": ("connection_type", "far_site")}),
    )

    csv_export = staticmethod(services.asset_register_export)
    csv_import = staticmethod(_import_asset_register)
    csv_columns_help = (
        "Columns: " + ", ".join(services.ASSET_REGISTER_COLUMNS) + ". One row per asset, found by asset_tag "
        "(created if new, updated if known). site, building and far_site by exact name (the building at "
        "that row's site); location in words, e.g. 2nd floor, Finance office (a file without the column "
        "leaves locations as they are); assigned_to by username; type, status and connection_type by "
        "value or label (e.g. network_link or Network link); dates as YYYY-MM-DD; connection_type and "
        "far_site for network links only. Export CSV gives a file in exactly this shape."
    )
