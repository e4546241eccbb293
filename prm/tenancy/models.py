"""Tenants, their domains and who belongs to them.

`Tenant` and `TenantDomain` are global tables: the host of a request is resolved to a
tenant through them before any tenant is current. Everything else a tenant owns derives
from `TenantOwned` and lives behind both walls (the scoped manager and row-level
security).
"""

from __future__ import annotations

import posixpath
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.text import get_valid_filename

from prm.audit.history import track
from prm.ids import uuid7

from .choices import STAFF_ROLES, PartnerRole, Role
from .context import get_current_tenant, require_current_tenant
from .managers import TenantManager

RESERVED_SLUGS = frozenset({"www", "api", "admin", "static", "media", "mail", "app"})

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Enter a colour as #RRGGBB, e.g. #1f6feb.")


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError("%(value)s is not a known time zone.", params={"value": value})


def validate_slug_not_reserved(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError("%(value)s is reserved.", params={"value": value})


def tenant_upload_to(instance, filename: str, folder: str = "files") -> str:
    """Store every uploaded file under its tenant's own prefix (works the same on S3)."""
    tenant = instance if isinstance(instance, Tenant) else instance.tenant
    return posixpath.join("tenants", str(tenant.pk), folder, get_valid_filename(filename))


def tenant_logo_upload_to(instance, filename: str) -> str:
    return tenant_upload_to(instance, filename, folder="branding")


class Tenant(models.Model):
    """A vendor running its partner program on this installation."""

    slug = models.SlugField(
        max_length=40,
        unique=True,
        validators=[validate_slug_not_reserved],
        help_text="Used in the portal's address: <slug>.<base domain>.",
    )
    name = models.CharField(max_length=200)
    currency = models.CharField(
        max_length=3,
        default="USD",
        validators=[RegexValidator(r"^[A-Z]{3}$", "Use an ISO 4217 code such as USD.")],
    )
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    logo = models.ImageField(upload_to=tenant_logo_upload_to, blank=True)
    primary_color = models.CharField(max_length=7, default="#1f6feb", validators=[hex_colour])
    default_deal_protection_days = models.PositiveIntegerField(
        default=90, validators=[MinValueValidator(1)]
    )
    deal_review_sla_days = models.PositiveIntegerField(default=2, validators=[MinValueValidator(1)])
    require_staff_mfa = models.BooleanField(
        default=False,
        help_text="Program admins and channel managers must set up two-factor sign-in.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name",)
        constraints = [
            models.CheckConstraint(
                condition=models.Q(slug__regex=r"^[a-z0-9][a-z0-9-]*$"),
                name="tenant_slug_lowercase",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def host(self) -> str:
        return f"{self.slug}.{settings.PRM_BASE_DOMAIN}"

    def absolute_url(self, path: str = "/") -> str:
        """A link into this tenant's portal for e-mails (no request to take a host from)."""
        port = f":{settings.PRM_URL_PORT}" if settings.PRM_URL_PORT else ""
        return f"{settings.PRM_URL_SCHEME}://{self.host}{port}{path}"


class TenantDomain(models.Model):
    """A custom domain (e.g. partners.acme.com) that serves a tenant's portal.

    Global on purpose (no row-level security): it is read before any tenant is current.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, unique=True)

    class Meta:
        ordering = ("domain",)

    def __str__(self) -> str:
        return self.domain

    def save(self, *args, **kwargs):
        self.domain = self.domain.lower().strip()
        super().save(*args, **kwargs)


class TenantOwned(models.Model):
    """Base of every model that belongs to one tenant.

    The default manager only ever sees the current tenant's rows and raises when there
    is none; row-level security enforces the same in Postgres. The id is a UUID so that
    ids in URLs and the API cannot be guessed or enumerated.
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, editable=False, related_name="+")

    objects = TenantManager()

    # How partner users see rows (see prm.tenancy.managers): None means not at all.
    partner_scope: str | None = None

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        current = get_current_tenant()
        if self.tenant_id is None:
            self.tenant = require_current_tenant()
        elif current is not None and current.pk != self.tenant_id:
            # Writing another tenant's row from this tenant's context is a bug, never
            # a feature: refuse it loudly (RLS would refuse it too).
            raise ValidationError("Cannot save a row of another tenant.")
        super().save(*args, **kwargs)


def membership_with_access(user) -> Membership | None:
    """The user's active membership in the current tenant, if it grants portal access.

    The one lookup behind sign-in (prm.accounts.backends) and every request
    (MembershipMiddleware): active, and for partner users an organization that may still
    sign in. At most one row exists per tenant and user, so the query is not ordered.
    """
    membership = (
        Membership.objects.select_related("partner_organization")
        .filter(user=user, is_active=True)
        .order_by()
        .first()
    )
    return membership if membership is not None and membership.has_portal_access else None


@track()
class Membership(TenantOwned):
    """A user's place in a tenant: a role, and for partner users their organization."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    partner_organization = models.ForeignKey(
        "partners.PartnerOrganization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
    )
    partner_role = models.CharField(
        max_length=20, choices=PartnerRole.choices, blank=True, default=""
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    partner_scope = "partner_organization"

    class Meta:
        ordering = ("user__email",)
        constraints = [
            models.UniqueConstraint(fields=("tenant", "user"), name="membership_one_per_tenant"),
            # A partner membership always names its organization and partner role, and
            # a staff membership never does.
            models.CheckConstraint(
                condition=(
                    models.Q(
                        role=Role.PARTNER,
                        partner_organization__isnull=False,
                        partner_role__in=PartnerRole.values,
                    )
                    | (
                        ~models.Q(role=Role.PARTNER)
                        & models.Q(partner_organization__isnull=True, partner_role="")
                    )
                ),
                name="membership_partner_fields_match_role",
            ),
        ]
        indexes = [
            models.Index(fields=("tenant", "partner_organization"), name="membership_org_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    @property
    def has_portal_access(self) -> bool:
        """Active, and for partner users an organization that may still sign in."""
        if not self.is_active:
            return False
        if self.role == Role.PARTNER:
            return (
                self.partner_organization is not None and self.partner_organization.allows_sign_in
            )
        return True

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_partner(self) -> bool:
        return self.role == Role.PARTNER

    @property
    def is_partner_admin(self) -> bool:
        return self.role == Role.PARTNER and self.partner_role == PartnerRole.PARTNER_ADMIN


def acting_user(acting_membership: Membership | None):
    """The user behind the membership acting in a service (None for a system job), for the
    columns and events that record a user (created_by, actor on a transition, ...)."""
    return acting_membership.user if acting_membership is not None else None


class TenantAccessVersion(models.Model):
    """Bumped by database triggers whenever who may do what in a tenant changes.

    Written only by the triggers of migration tenancy 0004 (on memberships and partner
    organizations), so bulk `update()`s and raw SQL bump it too; read on every request by
    `prm.tenancy.access` to tell whether a cached membership is still current. Values
    come from one sequence, so a rolled-back change never reuses a version.
    """

    tenant = models.OneToOneField(
        Tenant, primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    version = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.tenant_id}: {self.version}"


class UserAccessVersion(models.Model):
    """Bumped by a database trigger on every change of a user (global, like the user)."""

    user_id = models.UUIDField(primary_key=True)
    version = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.user_id}: {self.version}"
