"""Which agreement covers a service, its targets, and the targets in plain words for the catalogue."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import ServiceLevelAgreement, SlaService, SlaTarget


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


def minutes_in_words(minutes: int, day_minutes: int | None = 510) -> str:
    """'30 minutes', '4 business hours', '3 business days' (a business day is the calendar's 8.5 hours)."""
    if day_minutes and minutes >= day_minutes and minutes % day_minutes == 0:
        days = minutes // day_minutes
        return f"{days} business day{'s' if days != 1 else ''}"
    if minutes < 60:
        return f"{minutes} minutes"
    hours, rest = divmod(minutes, 60)
    text = f"{hours} business hour{'s' if hours != 1 else ''}"
    return f"{text} {rest} minutes" if rest else text


def targets_by_service(service_ids) -> dict[int, tuple[ServiceLevelAgreement, list[SlaTarget]]]:
    """For each service: its SLA and targets (P1 first), in three queries whatever the number of services."""
    links = dict(
        SlaService.objects.filter(service_id__in=list(service_ids)).values_list("service_id", "sla_id")
    )
    default = ServiceLevelAgreement.objects.filter(is_default=True).values_list("pk", flat=True).first()
    sla_ids = set(links.values()) | ({default} if default else set())
    agreements: QuerySet = ServiceLevelAgreement.objects.filter(pk__in=sla_ids).select_related("calendar")
    targets: dict[int, list[SlaTarget]] = {}
    for target in SlaTarget.objects.filter(sla_id__in=sla_ids).order_by("priority"):
        targets.setdefault(target.sla_id, []).append(target)
    by_id = {sla.pk: sla for sla in agreements}
    result = {}
    for service_id in service_ids:
        sla_id = links.get(service_id, default)
        if sla_id in by_id:
            result[service_id] = (by_id[sla_id], targets.get(sla_id, []))
    return result


def announce_change(sender, instance, **kwargs) -> None:
    """post_save/post_delete receiver: an agreement, its targets or a calendar changed, so the open
    tickets under the affected agreements are recalculated (by incidents, through slas.signals)."""
    from .models import BusinessCalendar, ClosedDay, WorkingHours
    from .signals import agreement_changed

    if isinstance(instance, ServiceLevelAgreement):
        sla_ids = [instance.pk]
    elif isinstance(instance, SlaTarget):
        sla_ids = [instance.sla_id]
    elif isinstance(instance, BusinessCalendar):
        sla_ids = list(ServiceLevelAgreement.objects.filter(calendar=instance).values_list("pk", flat=True))
    elif isinstance(instance, WorkingHours | ClosedDay):
        sla_ids = list(
            ServiceLevelAgreement.objects.filter(calendar_id=instance.calendar_id).values_list(
                "pk", flat=True
            )
        )
    else:
        return
    if sla_ids:
        agreement_changed.send(sender=sender, sla_ids=sla_ids)
