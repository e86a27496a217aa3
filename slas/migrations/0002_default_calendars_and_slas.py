"""Ship the calendars and agreements a municipal ICT unit starts with (docs/sla.md says why these).

Municipal business hours: Monday to Friday 08:00-16:30, closed on South Africa's public holidays.
A 24 x 7 calendar exists for services that never close. Targets are in business minutes.
"""

from datetime import date, time

from django.db import migrations

DAY = 510  # one business day of 8.5 hours, in minutes

# priority: (response minutes, resolution minutes)
STANDARD = {1: (30, 240), 2: (60, DAY), 3: (240, 3 * DAY), 4: (DAY, 5 * DAY), 5: (2 * DAY, 10 * DAY)}
CRITICAL = {1: (15, 120), 2: (30, 240), 3: (120, DAY), 4: (240, 3 * DAY), 5: (DAY, 5 * DAY)}
CRITICAL_SERVICES = ["Site network link", "Financial management system", "Payroll and HR system"]


def seed(apps, schema_editor):
    BusinessCalendar = apps.get_model("slas", "BusinessCalendar")
    WorkingHours = apps.get_model("slas", "WorkingHours")
    SLA = apps.get_model("slas", "ServiceLevelAgreement")
    SlaTarget = apps.get_model("slas", "SlaTarget")
    SlaService = apps.get_model("slas", "SlaService")
    Service = apps.get_model("catalogue", "Service")

    office, created = BusinessCalendar.objects.get_or_create(
        name="Municipal business hours", defaults={"public_holidays": True}
    )
    if created:
        for weekday in range(5):
            WorkingHours.objects.create(
                calendar=office, weekday=weekday, opens=time(8, 0), closes=time(16, 30)
            )
    BusinessCalendar.objects.get_or_create(
        name="24 x 7", defaults={"always_open": True, "public_holidays": False}
    )

    review = date(2027, 6, 30)  # with the ICT Service Strategy's next annual review
    for name, targets, default, description in (
        ("Standard", STANDARD, True, "Every service not covered by another agreement."),
        ("Critical services", CRITICAL, False, "The site links, the financial system and payroll."),
    ):
        sla, created = SLA.objects.get_or_create(
            name=name,
            defaults={
                "calendar": office,
                "is_default": default,
                "review_date": review,
                "description": description,
            },
        )
        if created:
            for priority, (response, resolution) in targets.items():
                SlaTarget.objects.create(
                    sla=sla, priority=priority, response_minutes=response, resolution_minutes=resolution
                )
        if name == "Critical services":
            for service in Service.objects.filter(name__in=CRITICAL_SERVICES):
                SlaService.objects.get_or_create(service=service, defaults={"sla": sla})


class Migration(migrations.Migration):
    dependencies = [("slas", "0001_initial"), ("catalogue", "0002_seed_catalogue")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
