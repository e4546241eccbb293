"""The content library: assets and who viewed or downloaded them."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone

from prm.audit.history import track
from prm.tenancy.managers import TenantManager
from prm.tenancy.models import TenantOwned

from ..choices import AssetActivityKind, AssetKind
from ..files import tenant_file_path
from .audience import AssetQuerySet, Audience


@track(exclude=["search_vector"])
class Asset(Audience):
    """A file or a link of the content library (sales decks, datasheets, playbooks)."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=100, blank=True)
    tags = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    kind = models.CharField(max_length=10, choices=AssetKind.choices, default=AssetKind.FILE)
    url = models.URLField(blank=True)
    file = models.FileField(upload_to=tenant_file_path, blank=True, max_length=300)
    file_name = models.CharField(max_length=200, blank=True)
    file_type = models.CharField(max_length=100, blank=True)
    file_size = models.PositiveBigIntegerField(default=0)
    version = models.CharField(max_length=40, blank=True, default="1.0")
    expires_on = models.DateField(null=True, blank=True)
    is_published = models.BooleanField(default=True)
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager.from_queryset(AssetQuerySet)()

    partner_scope = "__all__"

    class Meta:
        ordering = ("title",)
        indexes = [
            # Full-text search (the tenant filter narrows through the tenant index).
            GinIndex(fields=("search_vector",), name="asset_search_idx"),
            models.Index(fields=("tenant", "category"), name="asset_category_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class AssetActivity(TenantOwned):
    """A view or a download of an asset, by a person of an organization."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="activity")
    membership = models.ForeignKey("tenancy.Membership", on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(
        "partners.PartnerOrganization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(max_length=10, choices=AssetActivityKind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    partner_scope = "organization"

    class Meta:
        ordering = ("-created_at",)
        indexes = [
            models.Index(fields=("tenant", "asset", "kind"), name="assetactivity_asset_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.asset}"
