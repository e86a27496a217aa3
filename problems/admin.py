from django.contrib import admin

from common.admin_inlines import LabelledTabularInline

from .models import Improvement, IncidentLink, Problem, ProblemEvent, RecurrenceProposal, RecurrenceSettings


class IncidentLinkInline(LabelledTabularInline):
    model = IncidentLink
    extra = 0
    raw_id_fields = ("ticket", "linked_by")
    readonly_fields = ("linked_at",)


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):
    """Read here, worked on the problem pages (the services write the history): nothing changes in admin."""

    list_display = ("reference", "summary", "status", "priority", "service", "owner", "created_at")
    list_filter = ("status", "root_cause_category", "service")
    search_fields = ("summary", "description", "root_cause", "workaround")
    raw_id_fields = ("owner", "created_by", "assets")
    inlines = [IncidentLinkInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProblemEvent)
class ProblemEventAdmin(admin.ModelAdmin):
    list_display = ("problem", "kind", "actor", "at", "field", "old_value", "new_value")
    list_filter = ("kind",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RecurrenceProposal)
class RecurrenceProposalAdmin(admin.ModelAdmin):
    list_display = ("pk", "service", "site", "asset", "state", "found_at", "decided_by")
    list_filter = ("state",)
    raw_id_fields = ("tickets",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RecurrenceSettings)
class RecurrenceSettingsAdmin(admin.ModelAdmin):
    """N incidents within D working days: the ICT manager's to change (docs/problems.md)."""

    list_display = ("__str__", "lookback_days")

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not RecurrenceSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Improvement)
class ImprovementAdmin(admin.ModelAdmin):
    """Read here; the register is kept on its own pages (problems/views.py), through the services."""

    list_display = ("reference", "what", "reason", "owner", "due_on", "status")
    list_filter = ("status", "reason")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
