from django import forms
from django.contrib import admin
from django.db import models

from common.admin_inlines import LabelledTabularInline

from .models import LinkProbe, LoadSheddingArea, LoadSheddingBlock, LoadSheddingStage, Outage
from .services import EDITABLE, outage_correct, outage_record

# One labelled date-and-time box per field instead of the admin's split date and time boxes, which have no
# label of their own (axe: label; tests/e2e/test_every_page.py test_admin_pages).
ONE_DATETIME_BOX = {
    models.DateTimeField: {
        "form_class": forms.DateTimeField,
        "widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    }
}


@admin.register(Outage)
class OutageAdmin(admin.ModelAdmin):
    formfield_overrides = ONE_DATETIME_BOX
    list_display = ("reference", "title", "kind", "started_at", "ended_at", "expected_end_at", "source")
    list_filter = ("kind", "scope", "cause", "source", "site")
    search_fields = ("detail", "site__name", "asset__asset_tag", "service__name")
    date_hierarchy = "started_at"
    autocomplete_fields = ("asset",)
    raw_id_fields = ("major_incident",)
    list_select_related = ("site", "service")
    readonly_fields = ("source", "fingerprint", "schedule_key", "recorded_by", "created_at", "updated_at")
    fields = (
        ("scope", "kind", "cause"),
        "site",
        "asset",
        "service",
        "supplier",
        "major_incident",
        ("started_at", "ended_at", "expected_end_at"),
        "detail",
        *readonly_fields,
    )

    @admin.display(description="reference", ordering="pk")
    def reference(self, obj: Outage) -> str:
        return obj.reference

    def save_model(self, request, obj, form, change):
        # Through the services: the same checks as the pages and the API, and the site's clocks recalculated.
        values = {name: form.cleaned_data.get(name) for name in EDITABLE if name in form.cleaned_data}
        if change:
            saved = outage_correct(obj, by=request.user, **values)
        else:
            saved = outage_record(by=request.user, **values)
        obj.pk = saved.pk


@admin.register(LinkProbe)
class LinkProbeAdmin(admin.ModelAdmin):
    list_display = ("asset", "host", "port", "enabled", "failures_in_a_row", "last_checked_at", "last_result")
    list_filter = ("enabled",)
    autocomplete_fields = ("asset",)
    readonly_fields = ("failures_in_a_row", "successes_in_a_row", "last_checked_at", "last_result")


class LoadSheddingBlockInline(LabelledTabularInline):
    model = LoadSheddingBlock
    extra = 0


@admin.register(LoadSheddingArea)
class LoadSheddingAreaAdmin(admin.ModelAdmin):
    list_display = ("name",)
    filter_horizontal = ("sites",)
    inlines = [LoadSheddingBlockInline]


@admin.register(LoadSheddingStage)
class LoadSheddingStageAdmin(admin.ModelAdmin):
    formfield_overrides = ONE_DATETIME_BOX
    list_display = ("stage", "effective_from", "announced_by", "created_at")
    readonly_fields = ("announced_by", "created_at")

    def save_model(self, request, obj, form, change):
        from .load_shedding import stage_announce

        if change:  # a stage is announced, never edited: a new row says the new stage
            super().save_model(request, obj, form, change)
            return
        saved = stage_announce(obj.stage, effective_from=obj.effective_from, by=request.user)
        obj.pk = saved.pk
