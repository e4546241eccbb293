"""Partner organizations and their program."""

from django.db import models
from django.db.models.functions import Lower

from prm.tenancy.models import TenantOwned


class PartnerOrganization(TenantOwned):
    """A company in the vendor's partner program (a reseller, a referral partner, ...)."""

    name = models.CharField(max_length=200)
    website = models.URLField(blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # A partner user sees only its own organization.
    partner_scope = "id"

    class Meta:
        ordering = ("name",)
        constraints = [
            models.UniqueConstraint("tenant", Lower("name"), name="partnerorg_name_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def allows_sign_in(self) -> bool:
        return self.is_active
