"""Which agreement covers a service, its targets, and the targets in plain words for the catalogue."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import time
from typing import Any

from django.db.models import Model, Prefetch, Q

from .business_time import CalendarSpec
from .models import BusinessCalendar, ServiceLevelAgreement, SlaService, SlaTarget, Weekday

BUSINESS_DAY_MINUTES = 510  # Monday-Friday 08:00-16:30: the municipal business day
DAY_MINUTES_24X7 = 24 * 60


class NoAgreement(LookupError):
    """No SLA covers the service and there is no default SLA: an admin must set one."""


def sla_for_service(service_id: int) -> ServiceLevelAgreement:
    link = SlaService.objects.select_related("sla").filter(service_id=service_id).first()
    if link is not None:
        return link.sla
    default = ServiceLevelAgreement.objects.filter(is_default=True).first()
    if default is None:
        raise NoAgreement("No SLA covers this service and none is the default; set one in admin.")
    return default


def target_minutes(sla_id: int, priority: int) -> tuple[int, int]:
    """(response, resolution) business minutes of the SLA for a priority."""
    return SlaTarget.objects.values_list("response_minutes", "resolution_minutes").get(
        sla_id=sla_id, priority=priority
    )


def minutes_in_words(
    minutes: int, day_minutes: int | None = BUSINESS_DAY_MINUTES, *, business: bool = True
) -> str:
    """'30 minutes', '4 business hours', '3 business days'; `day_minutes` is the calendar's day (8.5 hours
    for the municipal calendar, 24 hours for a 24x7 one: see business_day_minutes). `business=False` drops
    the word "business" (a 24x7 calendar counts every hour)."""
    adjective = "business " if business else ""
    if day_minutes and minutes >= day_minutes and minutes % day_minutes == 0:
        days = minutes // day_minutes
        return f"{days} {adjective}day{_s(days)}"
    if minutes < 60:
        return f"{minutes} minute{_s(minutes)}"
    hours, rest = divmod(minutes, 60)
    text = f"{hours} {adjective}hour{_s(hours)}"
    return f"{text} and {rest} minute{_s(rest)}" if rest else text


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def business_day_minutes(calendar: BusinessCalendar) -> int:
    """How long "a business day" is in the calendar: 24 hours for a 24x7 calendar, otherwise the most
    common length of an open weekday (8.5 hours for Monday-Friday 08:00-16:30). Reads calendar.hours.all(),
    so prefetch `calendar__hours` when asking for many agreements."""
    if calendar.always_open:
        return DAY_MINUTES_24X7
    per_weekday: Counter[int] = Counter()
    for hours in calendar.hours.all():
        per_weekday[hours.weekday] += _minute_of_day(hours.closes) - _minute_of_day(hours.opens)
    return _usual_day(per_weekday)


def spec_day_minutes(spec: CalendarSpec) -> int:
    """business_day_minutes for a calendar already built for the arithmetic (slas.calendars.calendar_spec):
    the same answer, without reading the database."""
    if spec.always_open:
        return DAY_MINUTES_24X7
    per_weekday: Counter[int] = Counter()
    for weekday, intervals in enumerate(spec.hours):
        per_weekday[weekday] = sum(
            _minute_of_day(closes) - _minute_of_day(opens) for opens, closes in intervals
        )
    return _usual_day(per_weekday)


def _usual_day(per_weekday: Counter[int]) -> int:
    """The most common length of an open weekday (the longer one on a tie)."""
    lengths = Counter(length for length in per_weekday.values() if length > 0)
    if not lengths:
        return BUSINESS_DAY_MINUTES
    return max(lengths, key=lambda length: (lengths[length], length))


def target_in_words(minutes: int, calendar: BusinessCalendar) -> str:
    """A target as the catalogue and the API say it, in the calendar's own days and hours."""
    return minutes_in_words(minutes, business_day_minutes(calendar), business=not calendar.always_open)


def calendar_in_words(calendar: BusinessCalendar) -> str:
    """'Monday to Friday 08:00-16:30, except public holidays' or 'every hour of every day'."""
    if calendar.always_open:
        return "every hour of every day"
    by_weekday: dict[int, list[str]] = {}
    for hours in sorted(calendar.hours.all(), key=lambda h: (h.weekday, h.opens)):
        by_weekday.setdefault(hours.weekday, []).append(f"{hours.opens:%H:%M}-{hours.closes:%H:%M}")
    runs: list[tuple[int, int, str]] = []  # consecutive weekdays with the same hours
    for weekday in sorted(by_weekday):
        text = " and ".join(by_weekday[weekday])
        if runs and runs[-1][1] == weekday - 1 and runs[-1][2] == text:
            runs[-1] = (runs[-1][0], weekday, text)
        else:
            runs.append((weekday, weekday, text))
    if not runs:
        return "no opening hours set"
    parts = []
    for first, last, text in runs:
        days = Weekday(first).label if first == last else f"{Weekday(first).label} to {Weekday(last).label}"
        if last == first + 1:
            days = f"{Weekday(first).label} and {Weekday(last).label}"
        parts.append(f"{days} {text}")
    described = "; ".join(parts)
    return f"{described}, except public holidays" if calendar.public_holidays else described


def _minute_of_day(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def targets_by_service(
    service_ids: Iterable[int],
) -> dict[int, tuple[ServiceLevelAgreement, list[SlaTarget]]]:
    """For each service: its SLA (with its calendar and the calendar's hours, for the words) and targets
    (P1 first), in four queries whatever the number of services; none for no services."""
    service_ids = list(service_ids)  # read twice below: a generator would be spent by the first
    if not service_ids:
        return {}
    links = dict(SlaService.objects.filter(service_id__in=service_ids).values_list("service_id", "sla_id"))
    agreements = {
        sla.pk: sla
        for sla in ServiceLevelAgreement.objects.filter(Q(pk__in=set(links.values())) | Q(is_default=True))
        .select_related("calendar")
        .prefetch_related(
            "calendar__hours", Prefetch("targets", queryset=SlaTarget.objects.order_by("priority"))
        )
    }
    default = next((sla for sla in agreements.values() if sla.is_default), None)
    result = {}
    for service_id in service_ids:
        sla = agreements.get(links[service_id]) if service_id in links else default
        if sla is not None:
            result[service_id] = (sla, list(sla.targets.all()))
    return result


def announce_change(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    """post_save/post_delete receiver: an agreement, its targets, a calendar, an OLA or a supplier's
    contract changed, so the open tickets under them are recalculated. The request is a row written with
    the edit (slas.models.ClockRecalculation: durable whatever the broker does); incidents is told through
    slas.signals to queue the work after commit."""
    from .models import (
        BusinessCalendar,
        ClockRecalculation,
        ClosedDay,
        OperationalAgreement,
        OperationalTarget,
        WorkingHours,
    )
    from .signals import agreement_changed

    everything = False
    if isinstance(instance, ServiceLevelAgreement):
        sla_ids = [instance.pk]
    elif isinstance(instance, SlaTarget):
        sla_ids = [instance.sla_id]
    elif isinstance(instance, OperationalAgreement | OperationalTarget):
        # An OLA or contract can hold any open ticket: all of them, once.
        sla_ids, everything = [], True
    elif isinstance(instance, BusinessCalendar):
        sla_ids = list(ServiceLevelAgreement.objects.filter(calendar=instance).values_list("pk", flat=True))
        everything = OperationalAgreement.objects.filter(calendar=instance).exists()
    elif isinstance(instance, WorkingHours | ClosedDay):
        sla_ids = list(
            ServiceLevelAgreement.objects.filter(calendar_id=instance.calendar_id).values_list(
                "pk", flat=True
            )
        )
        everything = OperationalAgreement.objects.filter(calendar_id=instance.calendar_id).exists()
    else:
        return
    if sla_ids or everything:
        ClockRecalculation.objects.create(sla_ids=None if everything else sla_ids)
        agreement_changed.send(sender=sender, sla_ids=None if everything else sla_ids)
