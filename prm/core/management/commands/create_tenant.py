"""`manage.py create_tenant acme "Acme Cloud" --admin-email ops@acme.example`."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from prm.tenancy.context import tenant_context
from prm.tenancy.models import Tenant


class Command(BaseCommand):
    help = "Create a tenant (a vendor's portal) and invite its first program admin."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="Lower-case, used in the host: <slug>.<base domain>.")
        parser.add_argument("name")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--currency", default="USD")
        parser.add_argument("--time-zone", default="UTC")

    def handle(self, *args, slug, name, admin_email, currency, time_zone, **options):
        from prm.accounts.services import invitation_create

        tenant = Tenant(slug=slug, name=name, currency=currency, time_zone=time_zone)
        try:
            tenant.full_clean()
        except ValidationError as exc:
            problems = (
                f"{field}: {' '.join(errors)}" for field, errors in exc.message_dict.items()
            )
            raise CommandError("; ".join(problems)) from None
        with transaction.atomic():
            tenant.save()
            with tenant_context(tenant):
                invitation_create(email=admin_email, role="admin", acting_membership=None)
        self.stdout.write(self.style.SUCCESS(f"Created {tenant.name} at {tenant.absolute_url()}"))
        self.stdout.write(
            f"An invitation to become its program admin was e-mailed to {admin_email}."
        )
