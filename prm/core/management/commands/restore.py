"""`manage.py restore FILE`: load a backup into an empty database and secure it again."""

from django.core.management.base import BaseCommand, CommandError

from prm.core.backup import BackupError, restore, verify


class Command(BaseCommand):
    help = (
        "Load a backup file made by `manage.py backup` into the (empty) database of "
        "DATABASE_URL, re-apply row-level security and the application role, restore media."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a file written by `manage.py backup`")

    def handle(self, *args, **options):
        try:
            manifest = restore(options["file"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        different = verify(manifest)
        if different:
            raise CommandError(f"Restored, but the row counts differ from the backup: {different}")
        self.stdout.write(
            f"Restored the backup of {manifest['created_at']}: "
            f"{len(manifest['counts'])} tenant(s), row counts checked."
        )
