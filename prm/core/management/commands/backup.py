"""`manage.py backup [--output FILE]`: the database and the media folder in one file."""

from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from prm.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Write a consistent backup of the database and the media folder to one file."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="the file to write (default var/backups/prm-<UTC time>.tar)",
        )

    def handle(self, *args, **options):
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        output = Path(
            options["output"] or settings.BASE_DIR / "var" / "backups" / f"prm-{stamp}.tar"
        )
        try:
            manifest = backup(output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        tenants = ", ".join(
            f"{slug} ({counts.get('partners_partnerorganization', 0)} partners, "
            f"{counts.get('deals_deal', 0)} deals)"
            for slug, counts in sorted(manifest["counts"].items())
        )
        self.stdout.write(f"Backup written to {output}: {tenants or 'no tenants'}.")
