"""`flush`, run with the owner role: the application role may not TRUNCATE."""

from django.core.management.commands.flush import Command as DjangoFlushCommand

from prm.tenancy.db import owner_connection


class Command(DjangoFlushCommand):
    def handle(self, **options):
        with owner_connection(options["database"]):
            return super().handle(**options)
