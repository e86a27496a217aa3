"""The outbox moved from incidents to common (issue 15) without losing a row: the migrations are run back
to before the move and forward again on a database holding mail, sent and unsent, about a ticket and
about nothing; every row comes back with its key, state and ticket, and the permissions follow."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from common.models import Notification
from common.outbox import notification_send
from tests.factories import TicketFactory, UserFactory
from tests.migration_data import load_migration_data

BEFORE_THE_MOVE = [("incidents", "0007_search_and_due_indexes"), ("common", None)]


def migrate(targets=None):
    """Run the migrations to `targets` (the latest when None) and return the models of that state."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    nodes = [(app, name) for app, name in targets if name]  # (app, None): the app has no migration applied
    return MigrationExecutor(connection).loader.project_state(nodes).apps


def snapshot(rows):
    return sorted(rows.values_list("pk", "key", "to_address", "subject", "sent_at", "attempts", "last_error"))


@pytest.mark.django_db(transaction=True)
def test_moving_the_outbox_loses_no_row():
    load_migration_data()
    ticket = TicketFactory(requester=UserFactory())  # its logging mails, about the ticket
    notification_send(
        key="report-run:1:to:1", to_address="manager@mbashe.invalid", subject="S", body_text="B"
    )
    Notification.objects.filter(key__contains=":logged:requester").update(sent_at=timezone.now(), attempts=1)
    content_type = ContentType.objects.get(app_label="common", model="notification")
    permissions = set(Permission.objects.filter(content_type=content_type).values_list("pk", flat=True))
    assert len(permissions) == 4

    # Given the database as it was before the move, holding mail in the old table and shape
    old = migrate(BEFORE_THE_MOVE)
    OldNotification = old.get_model("incidents", "Notification")
    assert OldNotification.objects.filter(ticket_id=ticket.pk).exists()  # the ticket, in the old column
    OldNotification.objects.bulk_create(
        OldNotification(
            key=f"old:{n}",
            ticket_id=ticket.pk if n % 2 else None,
            to_address="a@b.invalid",
            subject=f"Old {n}",
            body_text="Body",
            sent_at=timezone.now() if n % 3 else None,
        )
        for n in range(300)
    )
    before = snapshot(OldNotification.objects.all())
    about_the_ticket = set(OldNotification.objects.filter(ticket_id=ticket.pk).values_list("pk", flat=True))
    assert ContentType.objects.filter(app_label="incidents", model="notification").exists()

    # When the migrations run forward
    migrate()

    # Then every row is there as it was, with what it is about, and the permissions followed the model
    assert snapshot(Notification.objects.all()) == before
    assert set(Notification.objects.filter(ticket=ticket).values_list("pk", flat=True)) == about_the_ticket
    assert all(n.about == ticket for n in Notification.objects.filter(pk__in=about_the_ticket))
    assert Notification.objects.filter(about_id__isnull=True).count() == len(before) - len(about_the_ticket)
    assert not Notification.objects.exclude(claimed_until=None).exists()
    assert not ContentType.objects.filter(app_label="incidents", model="notification").exists()
    assert ContentType.objects.get(app_label="common", model="notification").pk == content_type.pk
    assert (
        set(Permission.objects.filter(content_type=content_type).values_list("pk", flat=True)) == permissions
    )
