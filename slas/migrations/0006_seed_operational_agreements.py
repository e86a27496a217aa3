"""Ship an OLA for each support group and an underpinning contract for the MPLS provider (docs/sla.md says
why these numbers): each group's promise fits inside the Standard SLA, so that a handover still leaves
the next group time to keep the SLA. The supplier's figures are placeholders until the contract's own
are entered in admin."""

from datetime import date

from django.db import migrations

DAY = 510  # one municipal business day, in minutes
# priority: (take within, resolve or hand on within), business minutes of the municipal calendar
OLA_TARGETS = {1: (15, 180), 2: (30, 360), 3: (120, 2 * DAY), 4: (240, 4 * DAY), 5: (DAY, 8 * DAY)}
# priority: restore within, minutes of a 24 x 7 calendar
UC_TARGETS = {1: 4 * 60, 2: 8 * 60, 3: 24 * 60, 4: 72 * 60, 5: 120 * 60}
GROUPS = ["Service Desk", "Networks", "Desktop and Printing", "Business Applications", "Telephony"]


def seed(apps, schema_editor):
    BusinessCalendar = apps.get_model("slas", "BusinessCalendar")
    Agreement = apps.get_model("slas", "OperationalAgreement")
    Target = apps.get_model("slas", "OperationalTarget")
    Supplier = apps.get_model("slas", "Supplier")
    SupportGroup = apps.get_model("catalogue", "SupportGroup")

    office = BusinessCalendar.objects.filter(name="Municipal business hours").first()
    always = BusinessCalendar.objects.filter(name="24 x 7").first()
    review = date(2027, 6, 30)
    if office is not None:
        for group in SupportGroup.objects.filter(name__in=GROUPS):
            agreement, created = Agreement.objects.get_or_create(
                name=f"{group.name} OLA",
                defaults={
                    "kind": "ola",
                    "group": group,
                    "calendar": office,
                    "review_date": review,
                    "description": "What the group promises the service desk for the tickets it holds.",
                },
            )
            if created:
                for priority, (response, resolution) in OLA_TARGETS.items():
                    Target.objects.create(
                        agreement=agreement,
                        priority=priority,
                        response_minutes=response,
                        resolution_minutes=resolution,
                    )
    if always is not None:
        supplier, _ = Supplier.objects.get_or_create(
            name="MPLS network provider",
            defaults={"notes": "The provider of the MPLS links between the sites (Table 1)."},
        )
        agreement, created = Agreement.objects.get_or_create(
            name="MPLS link contract",
            defaults={
                "kind": "uc",
                "supplier": supplier,
                "calendar": always,
                "review_date": review,
                "description": "Placeholder restore times: enter the contract's own in admin.",
            },
        )
        if created:
            for priority, restore in UC_TARGETS.items():
                Target.objects.create(agreement=agreement, priority=priority, resolution_minutes=restore)


class Migration(migrations.Migration):
    dependencies = [
        ("slas", "0005_operational_agreements"),
        ("catalogue", "0002_seed_catalogue"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
