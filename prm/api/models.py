"""API keys: how an integration (a CRM, a BI tool) reaches one tenant's API."""

from django.db import models

from prm.tenancy.models import TenantOwned


class ApiKey(TenantOwned):
    """A secret for `Authorization: Bearer <key>`, stored only as a SHA-256 hash.

    A key acts as the membership of the admin who created it (so every write has an
    actor and the same permissions apply); it stops working when revoked or when that
    membership is deactivated.
    """

    name = models.CharField(max_length=100, help_text="What uses it, e.g. Salesforce sync.")
    prefix = models.CharField(max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # Who made it and whom it acts as: the same admin membership.
    membership = models.ForeignKey(
        "tenancy.Membership", on_delete=models.CASCADE, related_name="api_keys"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        indexes = [models.Index(fields=("tenant", "created_at"), name="apikey_tenant_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
