"""Admin: the risk matrix and the standard-change templates are edited here; changes are read here and
moved only through the change pages and API (the lifecycle's one service)."""

from django.contrib import admin

from common.admin_changelists import LabelledListEditableMixin
from common.admin_inlines import LabelledTabularInline

from .models import Change, ChangeApproval, ChangeEvent, ChangeTemplate, RiskMatrixCell


@admin.register(RiskMatrixCell)
class RiskMatrixCellAdmin(LabelledListEditableMixin, admin.ModelAdmin):
    list_display = ("likelihood", "impact", "risk")
    list_editable = ("risk",)

    def has_add_permission(self, request):
        return False  # nine cells, made by the migration

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ChangeTemplate)
class ChangeTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "likelihood", "impact", "interrupts_service", "active")
    list_filter = ("active",)
    search_fields = ("name", "reason")


class ReadOnlyInline(LabelledTabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ApprovalInline(ReadOnlyInline):
    model = ChangeApproval
    fields = ("approver", "decision", "at", "note", "justification", "current")
    readonly_fields = fields


class EventInline(ReadOnlyInline):
    model = ChangeEvent
    fields = ("at", "actor", "kind", "old_value", "new_value", "note")
    readonly_fields = fields


@admin.register(Change)
class ChangeAdmin(admin.ModelAdmin):
    list_display = ("reference", "summary", "type", "status", "risk", "planned_start", "outcome")
    list_filter = ("type", "status", "risk", "outcome")
    search_fields = ("summary", "reason")
    list_select_related = ("requested_by",)
    inlines = [ApprovalInline, EventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
