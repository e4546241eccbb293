"""Demo data: two tenants with staff and partners, deterministic and safe to re-run.

The core creates tenants, people and partner organizations; each app then adds its own
demo data through `<app>.demo.seed(tenant, people)` (see seed_demo). Every step looks
its rows up by natural keys first, so running it again changes nothing.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from prm.accounts.models import User
from prm.accounts.services import email_address_mark_verified
from prm.tenancy.context import tenant_context
from prm.tenancy.models import Membership, Tenant

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - documented demo login, never production

TENANTS = {
    "acme": {
        "name": "Acme Cloud",
        "primary_color": "#1f6feb",
        "partners": [
            ("Northwind Traders", "northwind.test", "US", "alice", "bob"),
            ("Contoso Solutions", "contoso.test", "GB", "carol", "dave"),
        ],
    },
    "globex": {
        "name": "Globex Software",
        "primary_color": "#8250df",
        "partners": [
            ("Initech Partners", "initech.test", "DE", "erin", "frank"),
            ("Umbrella Systems", "umbrella.test", "FR", "grace", "heidi"),
        ],
    },
}

# Printed by `make run` and listed in the README.
DEMO_LOGINS: list[tuple[str, str, str]] = []
for _slug, _spec in TENANTS.items():
    DEMO_LOGINS.append((_slug, f"admin@{_slug}.test", "program admin"))
    DEMO_LOGINS.append((_slug, f"cm@{_slug}.test", "channel manager"))
    for _name, _domain, _country, _admin, _member in _spec["partners"]:
        DEMO_LOGINS.append((_slug, f"{_admin}@{_domain}", f"partner admin, {_name}"))
        DEMO_LOGINS.append((_slug, f"{_member}@{_domain}", f"partner member, {_name}"))

# Each app's demo module, in layer order: first every `seed_people(people, spec)` (the
# partners app creates the tenant's partner organizations and their people), then every
# `seed(people)`. An app without a demo module is skipped, but a demo module that fails
# to import fails the seeding (never silently half a demo).
APP_SEEDERS = (
    "partners.demo",
    "deals.demo",
    "enablement.demo",
    "incentives.demo",
    "analytics.demo",
    "marketing.demo",
)


@dataclass
class DemoPeople:
    """Who the core created in one tenant, handed to each app's seeder."""

    tenant: Tenant
    admin: Membership
    channel_manager: Membership
    # partners.PartnerOrganization rows, filled by the partners app's seed_people
    organizations: list = field(default_factory=list)
    partner_admins: list[Membership] = field(default_factory=list)
    partner_members: list[Membership] = field(default_factory=list)


@functools.cache
def _demo_password_hash() -> str:
    # One hash for every demo login: hashing costs about a second of CPU (the hasher's
    # iterations), twelve times over was a third of `make run`'s seeding.
    return make_password(DEMO_PASSWORD)


def demo_user(email: str, full_name: str) -> User:
    """The demo login `email` (created once, verified, with the demo password)."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None, full_name=full_name)
        user.password = _demo_password_hash()
        user.save(update_fields=["password"])
        email_address_mark_verified(user=user)
    return user


def demo_membership(user: User, **fields) -> Membership:
    """`user`'s membership in the current tenant (created once with `fields`)."""
    membership = Membership.objects.filter(user=user).first()
    if membership is None:
        membership = Membership.objects.create(user=user, **fields)
    return membership


def seed_tenant(slug: str) -> DemoPeople:
    spec = TENANTS[slug]
    tenant, _ = Tenant.objects.get_or_create(
        slug=slug, defaults={"name": spec["name"], "primary_color": spec["primary_color"]}
    )
    with tenant_context(tenant):
        admin = demo_membership(
            demo_user(f"admin@{slug}.test", f"{spec['name']} Admin"), role="admin"
        )
        cm = demo_membership(
            demo_user(f"cm@{slug}.test", f"{spec['name']} Channel Manager"),
            role="channel_manager",
        )
        people = DemoPeople(tenant=tenant, admin=admin, channel_manager=cm)
        seeders = [
            importlib.import_module(name)
            for name in APP_SEEDERS
            if importlib.util.find_spec(name) is not None
        ]
        for seeder in seeders:
            if hasattr(seeder, "seed_people"):
                seeder.seed_people(people, spec)
        for seeder in seeders:
            seeder.seed(people)
    return people


def seed_demo() -> list[DemoPeople]:
    with transaction.atomic():
        return [seed_tenant(slug) for slug in TENANTS]
