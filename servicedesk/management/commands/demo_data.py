import time

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from servicedesk import demo, demo_changes, demo_history


class Command(BaseCommand):
    help = (
        "Load demo data (the nine sites, one user per role, the asset register and a few months of tickets); "
        "safe to run again. Development machines only (DEVELOPMENT=true)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--tickets",
            type=int,
            default=demo_history.DEFAULT_TICKETS,
            help="tickets of history to add when the database holds none (0: none)",
        )
        parser.add_argument("--seed", type=int, default=demo_history.DEFAULT_SEED)

    def handle(self, *args, tickets, seed, **options):
        try:
            results = demo.demo_data_load()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        for user, created in results:
            state = "created" if created else "already there"
            self.stdout.write(f"  {user.username:<11} {user.role:<12} {state}")
        if tickets <= 0:
            return
        started = time.perf_counter()
        history = demo_history.demo_history_load(tickets=tickets, seed=seed)
        if history.created:
            self.stdout.write(
                f"  tickets     {history.tickets} logged from {history.start:%d %B %Y} to now "
                f"({time.perf_counter() - started:.1f} s)"
            )
        else:
            self.stdout.write(f"  tickets     {history.tickets} already there (no history added)")
        self.stdout.write(
            f"  changes     {demo_changes.demo_changes_load()} (a month of them, lived through the services)"
        )
