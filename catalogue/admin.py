from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from common.admin_changelists import LabelledListEditableMixin
from common.admin_csv import CsvImportExportMixin
from common.admin_inlines import LabelledTabularInline

from . import services
from .models import (
    AssetTypeService,
    CriticalPeriod,
    Lifecycle,
    PriorityMatrixCell,
    RequestField,
    Service,
    ServiceCategory,
    SupportGroup,
)
from .priority import request_priority_for
from .transitions import guarded, next_steps_explained


class RequestFieldInline(LabelledTabularInline):
    model = RequestField
    extra = 0
    fields = ("display_order", "label", "key", "field_type", "required", "help_text", "choices")
    prepopulated_fields = {"key": ("label",)}


class CriticalPeriodInline(LabelledTabularInline):
    model = CriticalPeriod
    extra = 0
    fields = ("name", "rule", "working_days", "from_day", "to_day", "from_month", "to_month")


def _move(modeladmin, request, queryset, status):
    moved, refused = 0, []
    for service in queryset.order_by("pk"):
        try:
            services.service_change_status(service=service, status=status)
            moved += 1
        except ValidationError as exc:
            refused.extend(exc.message_dict.get("status", exc.messages))
    if moved:
        modeladmin.message_user(request, f"{moved} service(s) are now {Lifecycle(status).label.lower()}.")
    for message in refused:
        modeladmin.message_user(request, message, level=messages.WARNING)


@admin.action(description="Make live (publish in the catalogue)", permissions=["change"])
def make_live(modeladmin, request, queryset):
    _move(modeladmin, request, queryset, Lifecycle.LIVE)


@admin.action(description="Retire (no new tickets; kept for history)", permissions=["change"])
def retire(modeladmin, request, queryset):
    _move(modeladmin, request, queryset, Lifecycle.RETIRED)


@admin.register(Service)
class ServiceAdmin(CsvImportExportMixin, SimpleHistoryAdmin):
    list_display = (
        "name",
        "category",
        "status",
        "criticality",
        "support_group",
        "owner",
        "offers_incidents",
        "offers_requests",
    )
    # Owners: the people who own a service, not every account of the municipality.
    list_filter = (
        "status",
        "category",
        "criticality",
        "support_group",
        ("owner", admin.RelatedOnlyFieldListFilter),
        "offers_requests",
    )
    search_fields = ("name", "description", "keywords", "category__name")
    list_select_related = ("category", "support_group", "owner")
    autocomplete_fields = ("owner",)
    readonly_fields = ("status_changed_at", "lifecycle_steps", "created_at", "updated_at", "request_priority")
    actions = [make_live, retire]
    inlines = [RequestFieldInline, CriticalPeriodInline]
    fieldsets = (
        (None, {"fields": ("name", "category", "description", "keywords")}),
        (
            "Portfolio",
            {
                "fields": (
                    "status",
                    "status_changed_at",
                    "lifecycle_steps",
                    "criticality",
                    "owner",
                    "support_group",
                )
            },
        ),
        ("What staff can log", {"fields": ("offers_incidents", "offers_requests")}),
        (
            "Priority of a service request (nobody is asked impact and urgency for one)",
            {"fields": ("request_impact", "request_urgency", "request_priority")},
        ),
        ("Record", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )
    csv_export = staticmethod(services.catalogue_export)
    csv_import = staticmethod(services.catalogue_import)
    csv_columns_help = (
        "Columns: " + ", ".join(services.CATALOGUE_COLUMNS) + ". Services are matched by name; status is "
        "pipeline, live or retired and may only move forward; owner is a username; request_impact and "
        "request_urgency are low, medium or high (a service request's priority, through the priority "
        "matrix; left blank, a service keeps its own)."
    )

    @admin.display(description="Priority of its requests")
    def request_priority(self, obj) -> str:
        # The matrix decides, as for every ticket (catalogue/priority.py); shown here once saved.
        return (
            request_priority_for(service=obj).reason if obj and obj.pk else "Shown once the service is saved."
        )

    @admin.display(description="Next lifecycle step")
    def lifecycle_steps(self, obj) -> str:
        # Why "Make live" or "Retire" will not work yet, from the one rule (catalogue.transitions).
        if not obj or not obj.pk:
            return "A new service starts in the pipeline."
        steps = next_steps_explained(obj)
        if not steps:
            return "None: a retired service stays retired."
        return " ".join(
            f"{Lifecycle(status).label}: {refusal or 'allowed now.'}" for status, refusal in steps
        )

    def get_readonly_fields(self, request, obj=None):
        # On an existing service the lifecycle moves only through the actions, which enforce the rule.
        return (*self.readonly_fields, "status") if obj else self.readonly_fields

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status":
            # A new service starts in the pipeline (or, with no guard, goes live at once); never retired.
            # Where a guard is registered (changes: only through an implemented change), it starts in
            # the pipeline and goes live through a change.
            kwargs["choices"] = [(Lifecycle.PIPELINE, Lifecycle.PIPELINE.label)]
            if not guarded():
                kwargs["choices"].append((Lifecycle.LIVE, Lifecycle.LIVE.label))
        return super().formfield_for_choice_field(db_field, request, **kwargs)


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(LabelledListEditableMixin, SimpleHistoryAdmin):
    list_display = ("name", "display_order")
    list_editable = ("display_order",)
    search_fields = ("name",)


@admin.register(SupportGroup)
class SupportGroupAdmin(SimpleHistoryAdmin):
    list_display = ("name", "lead", "email")
    search_fields = ("name", "lead__username", "lead__first_name", "lead__last_name")
    list_select_related = ("lead",)
    autocomplete_fields = ("lead",)
    filter_horizontal = ("members",)


@admin.register(PriorityMatrixCell)
class PriorityMatrixCellAdmin(LabelledListEditableMixin, SimpleHistoryAdmin):
    list_display = ("impact", "urgency", "priority")
    list_editable = ("priority",)
    list_filter = ("impact", "urgency", "priority")

    def editable_row_name(self, obj):
        # Not str(): that names the priority too, which is what the input changes; the values, not the
        # choices' long labels ("high: a whole site, department or service ...").
        return f"{obj.impact} impact, {obj.urgency} urgency"

    def has_add_permission(self, request):
        # The matrix has exactly nine cells, made by the migration; admins change their priorities.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AssetTypeService)
class AssetTypeServiceAdmin(SimpleHistoryAdmin):
    """A ticket logged from an asset's QR label starts on the service of the asset's type."""

    list_display = ("asset_type", "service")
    list_select_related = ("service",)
    autocomplete_fields = ("service",)
