# The queues' sort order as indexes (docs/performance.md): a partial one over open tickets for the
# technicians' queues, a full one for /api/tickets/.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0003_ticket_sla_alter_ticketevent_kind"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("status__in", ("new", "assigned", "in_progress", "pending", "reopened"))),
                fields=["priority", "resolution_due_at", "response_due_at", "created_at", "id"],
                name="ticket_open_queue_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                fields=["priority", "resolution_due_at", "response_due_at", "created_at", "id"],
                name="ticket_queue_order_idx",
            ),
        ),
    ]
