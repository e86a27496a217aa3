from django.contrib import admin

from .models import Building, Site


class BuildingInline(admin.TabularInline):
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


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ("name", "site", "connected", "connection_type")
    list_filter = ("site__town", "site", "connected")
    search_fields = ("name", "site__name", "connection_type", "notes")
    list_select_related = ("site",)
    autocomplete_fields = ("site",)
