"""Partner organizations and their program."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from prm.tenancy.managers import ALL_PARTNERS
from prm.tenancy.models import TenantOwned

from .choices import LifecycleStage


class PartnerType(TenantOwned):
    """A kind of partner in the program: reseller, referral, distributor, OEM, ..."""

    key = models.SlugField(max_length=40, help_text="Stable identifier, e.g. reseller.")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    # Partners may read the program's catalogue of types.
    partner_scope = ALL_PARTNERS

    class Meta:
        ordering = ("name",)
        constraints = [
            models.UniqueConstraint(fields=("tenant", "key"), name="partnertype_key_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Tier(TenantOwned):
    """A level of the program (e.g. Registered < Silver < Gold); a higher rank is better."""

    name = models.CharField(max_length=100)
    rank = models.PositiveSmallIntegerField(help_text="1 is the entry tier; higher is better.")
    color = models.CharField(max_length=7, default="#6e7781")

    partner_scope = ALL_PARTNERS

    class Meta:
        ordering = ("rank",)
        constraints = [
            models.UniqueConstraint(fields=("tenant", "rank"), name="tier_rank_unique"),
            models.UniqueConstraint("tenant", Lower("name"), name="tier_name_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.name


class PartnerOrganization(TenantOwned):
    """A company in the vendor's partner program (a reseller, a referral partner, ...)."""

    name = models.CharField(max_length=200)
    website = models.URLField(blank=True)
    # The company's normalised web domain (e.g. northwind.example), for matching.
    domain = models.CharField(max_length=253, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code.")
    partner_type = models.ForeignKey(
        PartnerType, on_delete=models.PROTECT, null=True, blank=True, related_name="partners"
    )
    tier = models.ForeignKey(
        Tier, on_delete=models.PROTECT, null=True, blank=True, related_name="partners"
    )
    channel_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The vendor's channel manager who owns this partner.",
    )
    lifecycle_stage = models.CharField(
        max_length=20, choices=LifecycleStage.choices, default=LifecycleStage.ACTIVE
    )
    last_activity_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # A partner user sees only its own organization.
    partner_scope = "id"

    class Meta:
        ordering = ("name",)
        constraints = [
            models.UniqueConstraint("tenant", Lower("name"), name="partnerorg_name_unique_ci"),
        ]
        indexes = [
            models.Index(fields=("tenant", "lifecycle_stage"), name="partnerorg_stage_idx"),
            models.Index(fields=("tenant", "tier"), name="partnerorg_tier_idx"),
            models.Index(fields=("tenant", "channel_manager"), name="partnerorg_cm_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def allows_sign_in(self) -> bool:
        return self.is_active and self.lifecycle_stage != LifecycleStage.OFFBOARDED
