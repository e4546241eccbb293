"""`manage.py seed_demo`: the demo tenants acme and globex (idempotent)."""

from django.core.management.base import BaseCommand

from prm.core.demo import DEMO_LOGINS, DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create the demo tenants, people and program data. Safe to run again."

    def handle(self, *args, **options):
        seed_demo()
        self.stdout.write(self.style.SUCCESS("Demo data is in place."))
        for slug, email, role in DEMO_LOGINS:
            self.stdout.write(f"  {slug:8} {email:28} {role}")
        self.stdout.write(f"  password for all: {DEMO_PASSWORD}")
