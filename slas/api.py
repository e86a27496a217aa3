"""/api/slas/ and /api/calendars/: the service level agreements and their calendars, read-only.

Any signed-in user reads them (staff may see what they were promised). Writes are not offered in the
API: calendars and agreements change only in Django admin, by the Admin role, where every change is kept
in the history and recalculates the open tickets under it.
"""

from __future__ import annotations

import django_filters
from django.db.models import Exists, Prefetch, Q
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from .agreements import business_day_minutes, calendar_in_words, target_in_words
from .models import BusinessCalendar, ClosedDay, ServiceLevelAgreement, SlaService, SlaTarget, Weekday

COVERS_DEFAULT = "every service not covered by another agreement"
COVERS_LISTED = "the services listed"


class CalendarRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = BusinessCalendar
        fields = ["id", "name", "always_open"]


class ServiceRefSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="service_id", read_only=True)
    name = serializers.CharField(source="service.name", read_only=True)

    class Meta:
        model = SlaService
        fields = ["id", "name"]


class TargetSerializer(serializers.ModelSerializer):
    priority_name = serializers.CharField(source="get_priority_display", read_only=True)
    response = serializers.SerializerMethodField(help_text="The response target in words.")
    resolution = serializers.SerializerMethodField(help_text="The resolution target in words.")

    class Meta:
        model = SlaTarget
        fields = [
            "priority",
            "priority_name",
            "response_minutes",
            "resolution_minutes",
            "response",
            "resolution",
        ]

    def get_response(self, target) -> str:
        return target_in_words(target.response_minutes, target.sla.calendar)

    def get_resolution(self, target) -> str:
        return target_in_words(target.resolution_minutes, target.sla.calendar)


class AgreementSerializer(serializers.ModelSerializer):
    calendar = CalendarRefSerializer(read_only=True)
    covers = serializers.SerializerMethodField(
        help_text=f'"{COVERS_DEFAULT}" for the default agreement, otherwise "{COVERS_LISTED}".'
    )
    services = ServiceRefSerializer(
        source="service_links", many=True, read_only=True, help_text="The services named in this agreement."
    )
    business_day_minutes = serializers.SerializerMethodField(
        help_text="How many minutes make one business day in this agreement's calendar (1440 when 24x7)."
    )
    targets = TargetSerializer(many=True, read_only=True)

    class Meta:
        model = ServiceLevelAgreement
        fields = [
            "id",
            "name",
            "description",
            "calendar",
            "is_default",
            "review_date",
            "covers",
            "services",
            "business_day_minutes",
            "targets",
        ]

    def get_covers(self, sla) -> str:
        return COVERS_DEFAULT if sla.is_default else COVERS_LISTED

    def get_business_day_minutes(self, sla) -> int:
        return business_day_minutes(sla.calendar)


# "08:00", not OpenAPI's "time" format (an RFC 3339 time with seconds and an offset).
@extend_schema_field({"type": "string", "pattern": r"^\d{2}:\d{2}$", "example": "08:00"})
class HourMinuteField(serializers.TimeField):
    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class OpeningHoursSerializer(serializers.Serializer):
    opens = HourMinuteField()
    closes = HourMinuteField()


class WeekdayHoursSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(help_text="0 is Monday, 6 is Sunday.")
    name = serializers.CharField()
    hours = OpeningHoursSerializer(many=True, help_text="Open intervals; ignored when the calendar is 24x7.")
    open_minutes = serializers.IntegerField(help_text="Minutes the clock counts on this weekday.")


class ClosedDaySerializer(serializers.ModelSerializer):
    class Meta:
        model = ClosedDay
        fields = ["id", "name", "first_day", "last_day"]


class AgreementRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceLevelAgreement
        fields = ["id", "name"]


class CalendarSerializer(serializers.ModelSerializer):
    description = serializers.SerializerMethodField(help_text="When the clock counts, in words.")
    hours = serializers.SerializerMethodField(help_text="Opening hours for each weekday, Monday first.")
    closed_days = ClosedDaySerializer(
        many=True,
        read_only=True,
        help_text="Closed periods besides public holidays, first and last day included.",
    )
    business_day_minutes = serializers.SerializerMethodField(
        help_text="How many minutes make one business day (1440 when 24x7)."
    )
    agreements = AgreementRefSerializer(many=True, read_only=True)

    class Meta:
        model = BusinessCalendar
        fields = [
            "id",
            "name",
            "always_open",
            "public_holidays",
            "description",
            "hours",
            "closed_days",
            "business_day_minutes",
            "agreements",
        ]

    def get_description(self, calendar) -> str:
        return calendar_in_words(calendar)

    @extend_schema_field(WeekdayHoursSerializer(many=True))
    def get_hours(self, calendar) -> list[dict]:
        by_weekday: dict[int, list] = {weekday: [] for weekday in Weekday.values}
        for row in sorted(calendar.hours.all(), key=lambda row: (row.weekday, row.opens)):
            by_weekday[row.weekday].append(row)
        days = []
        for weekday, rows in by_weekday.items():
            minutes = sum(
                (row.closes.hour * 60 + row.closes.minute) - (row.opens.hour * 60 + row.opens.minute)
                for row in rows
            )
            days.append(
                {
                    "weekday": weekday,
                    "name": Weekday(weekday).label,
                    "hours": rows,
                    "open_minutes": 24 * 60 if calendar.always_open else minutes,
                }
            )
        # many=True gives a ReturnList; the stubs type .data as ReturnDict whatever `many` is
        return WeekdayHoursSerializer(days, many=True).data  # type: ignore[return-value]

    def get_business_day_minutes(self, calendar) -> int:
        return business_day_minutes(calendar)


class AgreementFilter(django_filters.FilterSet):
    calendar = django_filters.NumberFilter(field_name="calendar_id")
    is_default = django_filters.BooleanFilter()
    service = django_filters.NumberFilter(
        method="filter_service",
        label="The agreement that covers this service id (named in it, or the default when none names it).",
    )

    class Meta:
        model = ServiceLevelAgreement
        fields = ["calendar", "is_default", "service"]

    def filter_service(self, queryset, name, value):
        named = SlaService.objects.filter(service_id=value)
        return queryset.filter(
            Q(service_links__service_id=value) | (Q(is_default=True) & ~Exists(named))
        ).distinct()


class CalendarFilter(django_filters.FilterSet):
    always_open = django_filters.BooleanFilter()
    public_holidays = django_filters.BooleanFilter()

    class Meta:
        model = BusinessCalendar
        fields = ["always_open", "public_holidays"]


class AgreementViewSet(viewsets.ReadOnlyModelViewSet):
    """Service level agreements: calendar, the services covered, and response and resolution targets per
    priority in business minutes (and in words). Read-only: agreements change in Django admin only."""

    queryset = (
        ServiceLevelAgreement.objects.select_related("calendar")
        .prefetch_related(
            "calendar__hours",
            Prefetch("targets", queryset=SlaTarget.objects.order_by("priority")),
            Prefetch(
                "service_links",
                queryset=SlaService.objects.select_related("service").order_by("service__name"),
            ),
        )
        .order_by("name")
    )
    serializer_class = AgreementSerializer
    filterset_class = AgreementFilter
    search_fields = ["name", "description"]
    ordering_fields = ["name", "review_date"]


class CalendarViewSet(viewsets.ReadOnlyModelViewSet):
    """Business calendars: opening hours per weekday, public holidays or not, and closed periods. Read-only:
    calendars change in Django admin only."""

    queryset = BusinessCalendar.objects.prefetch_related(
        "hours",
        "closed_days",
        Prefetch("agreements", queryset=ServiceLevelAgreement.objects.order_by("name")),
    ).order_by("name")
    serializer_class = CalendarSerializer
    filterset_class = CalendarFilter
    search_fields = ["name"]
    ordering_fields = ["name"]
