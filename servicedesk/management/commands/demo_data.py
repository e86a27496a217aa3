from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from servicedesk import demo


class Command(BaseCommand):
    help = "Load demo data (the nine sites and one user per role); safe to run again. DEBUG only."

    def handle(self, *args, **options):
        try:
            results = demo.demo_data_load()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        for user, created in results:
            state = "created" if created else "already there"
            self.stdout.write(f"  {user.username:<11} {user.role:<12} {state}")
