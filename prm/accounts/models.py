"""People who sign in. Global: one person may belong to several tenants."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from prm.ids import uuid7
from prm.tenancy.choices import PartnerRole, Role
from prm.tenancy.models import TenantOwned


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person, identified by e-mail.

    `is_staff` means platform operator (the bare base domain's Django admin), not vendor
    staff: a vendor's admins and channel managers are roles of a Membership.
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    # Stored lower-cased (see save), so a plain unique index is case-insensitive.
    email = models.EmailField("e-mail address", max_length=254, unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ("email",)

    def __str__(self) -> str:
        return self.full_name or self.email

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.full_name or self.email


class Invitation(TenantOwned):
    """An invitation to join a tenant in a role; the link carries a single-use secret.

    Only a SHA-256 hash of the token is stored, so a leaked database row cannot be used
    to join. An invitation is usable once, until `expires_at`, unless revoked.
    """

    email = models.EmailField(max_length=254)
    full_name = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices)
    partner_organization = models.ForeignKey(
        "partners.PartnerOrganization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
    )
    partner_role = models.CharField(
        max_length=20, choices=PartnerRole.choices, blank=True, default=""
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Partner admins see (and manage) the invitations of their own organization.
    partner_scope = "partner_organization"

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            # One open invitation per address in a tenant; a new one replaces the old.
            models.UniqueConstraint(
                fields=("tenant", "email"),
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(role=Role.PARTNER, partner_organization__isnull=False)
                    | (~models.Q(role=Role.PARTNER) & models.Q(partner_organization__isnull=True))
                ),
                name="invitation_partner_fields_match_role",
            ),
        ]
        indexes = [
            models.Index(fields=("tenant", "partner_organization"), name="invitation_org_idx")
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email}"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"
