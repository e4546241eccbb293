"""`migrate`, run with the owner role of DATABASE_URL instead of the application role."""

from django.core.management.commands.migrate import Command as DjangoMigrateCommand

from prm.tenancy.db import owner_connection


class Command(DjangoMigrateCommand):
    def handle(self, *args, **options):
        with owner_connection(options["database"]):
            return super().handle(*args, **options)
