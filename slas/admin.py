"""Django admin for calendars and agreements (the Admin role edits them) and, read-only, the clocks and the
warnings and breaches they recorded (for audits: nobody edits those by hand)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from simple_history.admin import SimpleHistoryAdmin

from catalogue.models import Priority
from common.admin_inlines import LabelledTabularInline

from .agreements import target_in_words
from .models import (
    BusinessCalendar,
    ClosedDay,
    OperationalAgreement,
    OperationalClock,
    OperationalTarget,
    ServiceLevelAgreement,
    SlaClock,
    SlaEvent,
    SlaService,
    SlaTarget,
    Supplier,
    WorkingHours,
)

# --- calendars -------------------------------------------------------------------------------------------


class WorkingHoursFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        """Hours on the same day may not overlap, also between rows added or changed in one save (the
        model's own check only sees rows already saved)."""
        super().clean()
        by_weekday: dict[int, list[tuple]] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or form.errors:
                continue
            if data.get("weekday") is None or not data.get("opens") or not data.get("closes"):
                continue
            by_weekday.setdefault(data["weekday"], []).append((data["opens"], data["closes"], form))
        for rows in by_weekday.values():
            rows.sort(key=lambda row: row[0])
            latest_close = None
            for opens, closes, form in rows:
                if latest_close is not None and opens < latest_close:
                    form.add_error("opens", "These hours overlap other hours on the same day.")
                latest_close = closes if latest_close is None else max(latest_close, closes)


class WorkingHoursInline(LabelledTabularInline):
    model = WorkingHours
    formset = WorkingHoursFormSet
    extra = 0
    fields = ("weekday", "opens", "closes")


class ClosedDayInline(LabelledTabularInline):
    model = ClosedDay
    extra = 0
    fields = ("name", "first_day", "last_day")
    verbose_name = "closed period"
    verbose_name_plural = "closed periods (besides public holidays), e.g. the year-end shutdown"


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(SimpleHistoryAdmin):
    list_display = ("name", "always_open", "public_holidays", "agreement_count")
    list_filter = ("always_open", "public_holidays")
    search_fields = ("name",)
    inlines = [WorkingHoursInline, ClosedDayInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_agreements=Count("agreements"))

    @admin.display(description="agreements", ordering="_agreements")
    def agreement_count(self, calendar: BusinessCalendar) -> int:
        count: int = calendar._agreements  # type: ignore[attr-defined]  # get_queryset's annotation
        return count


# --- agreements ------------------------------------------------------------------------------------------


class SlaTargetForm(forms.ModelForm):
    class Meta:
        model = SlaTarget
        fields = ("priority", "response_minutes", "resolution_minutes")

    def clean(self):
        data = cast(dict[str, Any], super().clean())  # ModelForm.clean returns cleaned_data
        response, resolution = data.get("response_minutes"), data.get("resolution_minutes")
        if response is not None and resolution is not None and resolution < response:
            # Said here, on the field, before the model's CheckConstraint would answer in database words.
            self.add_error(
                "resolution_minutes",
                f"The fix cannot be due before the first response: give at least {response} minutes.",
            )
        return data


class SlaTargetFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        """Every priority needs a target: a ticket of a priority without one could not start its clocks."""
        super().clean()
        if any(form.errors for form in self.forms):
            return
        kept = {
            form.cleaned_data["priority"]
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("priority") is not None
        }
        missing = [f"P{priority}" for priority in Priority.values if priority not in kept]
        if missing:
            raise forms.ValidationError(
                f"Give a response and a resolution target for every priority; missing: {', '.join(missing)}."
            )


class SlaTargetInline(LabelledTabularInline):
    model = SlaTarget
    form = SlaTargetForm
    formset = SlaTargetFormSet
    extra = 0
    max_num = len(Priority.values)
    fields = (
        "priority",
        "response_minutes",
        "response_in_words",
        "resolution_minutes",
        "resolution_in_words",
    )
    readonly_fields = ("response_in_words", "resolution_in_words")
    verbose_name = "target"
    verbose_name_plural = "targets per priority (in business minutes of the agreement's calendar)"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("sla__calendar")
            .prefetch_related("sla__calendar__hours")
        )

    def get_extra(self, request, obj=None, **kwargs):
        # A new agreement starts with a row for each priority to fill in.
        return len(Priority.values) if obj is None else 0

    @admin.display(description="response, in words")
    def response_in_words(self, target) -> str:
        return self._in_words(target, target.response_minutes)

    @admin.display(description="resolution, in words")
    def resolution_in_words(self, target) -> str:
        return self._in_words(target, target.resolution_minutes)

    def _in_words(self, target, minutes) -> str:
        if target.pk is None or minutes is None:
            return "-"
        return target_in_words(minutes, target.sla.calendar)


class SlaServiceForm(forms.ModelForm):
    class Meta:
        model = SlaService
        fields = ("service",)

    def clean_service(self):
        service = self.cleaned_data["service"]
        other = (
            SlaService.objects.filter(service=service)
            .exclude(pk=self.instance.pk)
            .select_related("sla")
            .first()
        )
        if other is not None and other.sla_id != self.instance.sla_id:
            raise forms.ValidationError(
                f"{service} is covered by “{other.sla}” already; remove it there first."
            )
        return service


class SlaServiceInline(LabelledTabularInline):
    model = SlaService
    form = SlaServiceForm
    extra = 0
    autocomplete_fields = ("service",)
    verbose_name = "service covered"
    verbose_name_plural = (
        "services covered (the default agreement also covers every service not named in another)"
    )


class ServiceLevelAgreementForm(forms.ModelForm):
    class Meta:
        model = ServiceLevelAgreement
        fields = ("name", "description", "calendar", "is_default", "review_date")

    def clean_is_default(self):
        is_default = self.cleaned_data["is_default"]
        if is_default:
            current = (
                ServiceLevelAgreement.objects.filter(is_default=True).exclude(pk=self.instance.pk).first()
            )
            if current is not None:
                raise forms.ValidationError(
                    f"“{current}” is the default agreement; there is one default. To change it, use the "
                    "list's action “Make the default agreement”."
                )
        return is_default


@admin.action(
    description="Make the default agreement (for every service not named in another)", permissions=["change"]
)
def make_default(modeladmin, request, queryset):
    if queryset.count() != 1:
        modeladmin.message_user(request, "Choose exactly one agreement to be the default.", messages.WARNING)
        return
    chosen = queryset.get()
    with transaction.atomic():
        # One default at a time (a unique constraint): the old one gives way first, in the same
        # transaction, so no ticket is ever logged while there is none.
        for sla in (
            ServiceLevelAgreement.objects.select_for_update().filter(is_default=True).exclude(pk=chosen.pk)
        ):
            sla.is_default = False
            sla.save(update_fields=["is_default"])
        chosen.is_default = True
        chosen.save(update_fields=["is_default"])
    modeladmin.message_user(request, f"“{chosen}” is now the default agreement.")


@admin.register(ServiceLevelAgreement)
class ServiceLevelAgreementAdmin(SimpleHistoryAdmin):
    form = ServiceLevelAgreementForm
    list_display = ("name", "calendar", "is_default", "review_date", "service_count")
    list_filter = ("calendar", "is_default")
    search_fields = ("name", "description", "service_links__service__name")
    list_select_related = ("calendar",)
    date_hierarchy = "review_date"
    fields = ("name", "description", "calendar", "is_default", "review_date", "review_reminder")
    readonly_fields = ("review_reminder",)
    inlines = [SlaTargetInline, SlaServiceInline]
    actions = [make_default]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_services=Count("service_links", distinct=True))

    @admin.display(description="review reminder")
    def review_reminder(self, sla) -> str:
        reminded_for = getattr(sla, "review_reminded_for", None)  # slas.reviews' marker
        if sla.pk is None or sla.review_date is None:
            return "The ICT managers are mailed 30 days before the review date."
        if reminded_for == sla.review_date:
            return "The ICT managers have been reminded of this review date."
        return "The ICT managers will be mailed 30 days before this review date."

    @admin.display(description="services covered", ordering="_services")
    def service_count(self, sla):
        return "every other service" if sla.is_default and not sla._services else sla._services


# --- OLAs, suppliers and underpinning contracts -------------------------------------------------------------


@admin.register(Supplier)
class SupplierAdmin(SimpleHistoryAdmin):
    list_display = ("name", "contract_reference", "contact_name", "phone", "email")
    search_fields = ("name", "contract_reference", "contact_name")


class OperationalTargetForm(forms.ModelForm):
    class Meta:
        model = OperationalTarget
        fields = ("priority", "response_minutes", "resolution_minutes")

    def clean(self):
        data = cast(dict[str, Any], super().clean())  # ModelForm.clean returns cleaned_data
        response, resolution = data.get("response_minutes"), data.get("resolution_minutes")
        if response is not None and resolution is not None and resolution < response:
            self.add_error("resolution_minutes", f"Cannot be shorter than the {response} minutes to take it.")
        return data


class OperationalTargetFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        """Every priority needs a target (a holding of a priority without one is not measured); an OLA
        promises a time to take the ticket, a supplier's contract only a time to restore."""
        super().clean()
        if any(form.errors for form in self.forms):
            return
        rows = [
            form.cleaned_data
            for form in self.forms
            if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
        ]
        kept = {row["priority"] for row in rows if row.get("priority") is not None}
        missing = [f"P{priority}" for priority in Priority.values if priority not in kept]
        if missing:
            raise forms.ValidationError(f"Give a target for every priority; missing: {', '.join(missing)}.")
        kind = getattr(self.instance, "kind", None)
        with_response = any(row.get("response_minutes") is not None for row in rows)
        if kind == OperationalAgreement.Kind.UC and with_response:
            raise forms.ValidationError(
                "A supplier's contract has restore times only: leave 'take within' empty."
            )
        if kind == OperationalAgreement.Kind.OLA and not all(
            row.get("response_minutes") is not None for row in rows
        ):
            raise forms.ValidationError("An OLA promises a time to take the ticket at every priority.")


class OperationalTargetInline(LabelledTabularInline):
    model = OperationalTarget
    form = OperationalTargetForm
    formset = OperationalTargetFormSet
    extra = 0
    max_num = len(Priority.values)
    fields = ("priority", "response_minutes", "resolution_minutes")
    verbose_name = "target"
    verbose_name_plural = (
        "targets per priority, in business minutes of the agreement's calendar (OLA: take within, resolve "
        "or hand on within; contract: restore within)"
    )

    def get_extra(self, request, obj=None, **kwargs):
        return len(Priority.values) if obj is None else 0


@admin.register(OperationalAgreement)
class OperationalAgreementAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "party", "calendar", "review_date")
    list_filter = ("kind", "calendar")
    search_fields = ("name", "description", "group__name", "supplier__name")
    list_select_related = ("group", "supplier", "calendar")
    fields = ("name", "kind", "group", "supplier", "calendar", "review_date", "description")
    inlines = [OperationalTargetInline]

    @admin.display(description="group or supplier")
    def party(self, agreement) -> str:
        return str(agreement.party or "-")


# --- clocks and events (read-only) -----------------------------------------------------------------------


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the SLA engine writes; the admin only reads them (an audit trail nobody may edit)."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def _ticket_search(queryset, search_term):
    """'INC-000123', 'req-123', '#123' or '123' finds that ticket."""
    text = search_term.strip().upper().lstrip("#")
    number = text.rsplit("-", 1)[-1]
    if number.isdigit() and len(number) <= 12:
        return queryset.filter(ticket_id=int(number)), False
    return None


@admin.register(SlaClock)
class SlaClockAdmin(ReadOnlyAdmin):
    list_display = (
        "ticket",
        "kind",
        "state",
        "sla",
        "priority",
        "target_minutes",
        "elapsed_minutes",
        "due_at",
        "breached_at",
        "stopped_at",
        "next_event_at",
    )
    list_filter = ("kind", "state", "sla", "priority", ("breached_at", admin.EmptyFieldListFilter))
    list_select_related = ("ticket", "sla")
    search_fields = ("ticket__summary",)
    search_help_text = "A ticket reference (INC-000123 or 123) or words from its summary."
    date_hierarchy = "due_at"
    ordering = ("-ticket_id", "kind")

    @admin.display(description="elapsed (business minutes)", ordering="elapsed_seconds")
    def elapsed_minutes(self, clock: SlaClock) -> int:
        return clock.elapsed_seconds // 60

    def get_search_results(self, request, queryset, search_term):
        return _ticket_search(queryset, search_term) or super().get_search_results(
            request, queryset, search_term
        )


@admin.register(SlaEvent)
class SlaEventAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "clock", "kind", "due_at", "recorded_at", "lag")
    list_filter = ("kind", "clock")
    list_select_related = ("ticket",)
    search_fields = ("ticket__summary",)
    search_help_text = "A ticket reference (INC-000123 or 123) or words from its summary."
    date_hierarchy = "recorded_at"
    ordering = ("-recorded_at",)

    @admin.display(description="recorded after due")
    def lag(self, event) -> str:
        seconds = int((event.recorded_at - event.due_at).total_seconds())
        return f"{seconds} s" if seconds < 120 else f"{seconds // 60} min"

    def get_search_results(self, request, queryset, search_term):
        return _ticket_search(queryset, search_term) or super().get_search_results(
            request, queryset, search_term
        )


@admin.register(OperationalClock)
class OperationalClockAdmin(ReadOnlyAdmin):
    list_display = (
        "ticket",
        "agreement",
        "kind",
        "state",
        "held_from",
        "held_until",
        "priority",
        "target_minutes",
        "due_at",
        "breached_at",
    )
    list_filter = (
        "agreement__kind",
        "agreement",
        "kind",
        "state",
        ("breached_at", admin.EmptyFieldListFilter),
    )
    list_select_related = ("ticket", "agreement")
    search_fields = ("ticket__summary",)
    search_help_text = "A ticket reference (INC-000123 or 123) or words from its summary."
    date_hierarchy = "held_from"
    ordering = ("-ticket_id", "held_from", "kind")

    def get_search_results(self, request, queryset, search_term):
        return _ticket_search(queryset, search_term) or super().get_search_results(
            request, queryset, search_term
        )
