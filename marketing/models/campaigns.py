"""Co-branded campaigns: the vendor's kit, each partner's launch of it, and its leads."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Count, F, Q, Subquery, Sum

from marketing.audience import audience_q, id_array, partner_profile
from marketing.choices import CampaignStatus
from prm.audit.history import track
from prm.core.uploads import tenant_path
from prm.tenancy.managers import ALL_PARTNERS, TenantManager, TenantQuerySet
from prm.tenancy.models import TenantOwned


class CampaignQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        """Staff see every campaign; a partner user sees the published ones aimed at it."""
        queryset = super().visible_to(membership)
        profile = partner_profile(membership)
        if profile is None:
            return queryset
        return queryset.filter(status=CampaignStatus.PUBLISHED).filter(
            audience_q(profile, tiers=False, roles=False)
        )

    def with_stats(self):
        """Page views, launches, leads, accepted leads, deals and won deals per campaign."""
        views = (
            CampaignPageViews.objects.filter(launch__campaign=models.OuterRef("pk"))
            .order_by()
            .values("launch__campaign")
            .annotate(total=Sum("views"))
            .values("total")
        )
        leads = "launches__leads"
        return self.annotate(
            stat_views=Subquery(views, output_field=models.IntegerField()),
            stat_launches=Count("launches", distinct=True),
            stat_leads=Count(leads, distinct=True),
            stat_accepted=Count(
                leads, distinct=True, filter=Q(**{f"{leads}__lead__status": "accepted"})
            ),
            stat_deals=Count(
                leads, distinct=True, filter=Q(**{f"{leads}__lead__deal__isnull": False})
            ),
            stat_won=Count(
                leads, distinct=True, filter=Q(**{f"{leads}__lead__deal__status": "won"})
            ),
        )


@track()
class Campaign(TenantOwned):
    """A campaign kit the vendor builds once and every partner in its audience launches.

    Copy may carry placeholders ({partner_name}, {partner_logo}, {contact_name},
    {contact_email}, {contact_phone}, {landing_page}) filled per partner. The landing
    page body is Markdown; `body_html` is its sanitised rendering, made on save.
    """

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, help_text="Part of the landing page address.")
    summary = models.TextField(blank=True, help_text="What the campaign is for, for partners.")
    starts_on = models.DateField()
    ends_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    audience_partner_types = id_array("partner types")
    audience_min_tier = models.ForeignKey(
        "partners.Tier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="minimum tier",
    )
    audience_motions = id_array("motions")
    lead_motion = models.ForeignKey(
        "deals.Motion",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Leads from the landing pages follow this motion.",
    )
    product = models.ForeignKey(
        "deals.Product",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="product focus",
    )
    email_subject = models.CharField(max_length=200, blank=True)
    email_body = models.TextField(blank=True)
    social_copy = models.TextField(blank=True)
    headline = models.CharField(max_length=200)
    body_markdown = models.TextField("landing page body", blank=True)
    body_html = models.TextField(editable=False, blank=True)
    allow_custom_headline = models.BooleanField(
        default=True, help_text="Partners may rewrite the landing page headline."
    )
    allow_custom_intro = models.BooleanField(
        default=True, help_text="Partners may add an introduction of their own."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    partner_scope = ALL_PARTNERS  # narrowed to the audience in CampaignQuerySet.visible_to
    objects = TenantManager.from_queryset(CampaignQuerySet)()

    class Meta:
        ordering = ("-starts_on", "name")
        constraints = [
            models.UniqueConstraint(fields=("tenant", "slug"), name="campaign_slug_unique"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="campaign_period_ordered"
            ),
        ]
        indexes = [
            models.Index(fields=("tenant", "status", "starts_on"), name="campaign_status_idx")
        ]

    def __str__(self) -> str:
        return self.name

    def is_running(self, today) -> bool:
        return self.status == CampaignStatus.PUBLISHED and self.starts_on <= today <= self.ends_on


def campaign_asset_upload_to(instance, filename: str) -> str:
    return tenant_path(instance.tenant_id, f"campaign-assets/{instance.campaign_id}", filename)


class CampaignAssetQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        queryset = super().visible_to(membership)
        if membership is not None and membership.is_partner:
            return queryset.filter(campaign__in=Campaign.objects.visible_to(membership))
        return queryset


@track()
class CampaignAsset(TenantOwned):
    """A file of a campaign kit (banner, one-pager, video), stored under the tenant's prefix."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assets")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=campaign_asset_upload_to, max_length=300)
    content_type = models.CharField(max_length=120, editable=False)
    size = models.PositiveBigIntegerField(editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    partner_scope = ALL_PARTNERS  # narrowed to visible campaigns in the queryset
    objects = TenantManager.from_queryset(CampaignAssetQuerySet)()

    class Meta:
        ordering = ("title",)
        indexes = [models.Index(fields=("tenant", "campaign"), name="campaignasset_campaign_idx")]

    def __str__(self) -> str:
        return self.title


class CampaignLibraryAssetQuerySet(TenantQuerySet):
    def visible_to(self, membership):
        """Staff see every link; a partner user those of campaigns offered to it whose
        asset the content library itself lets it see (published, current, its audience)."""
        queryset = super().visible_to(membership)
        if membership is not None and membership.is_partner:
            from enablement.selectors import library_assets_visible_to

            return queryset.filter(
                campaign__in=Campaign.objects.visible_to(membership),
                asset__in=library_assets_visible_to(membership),
            )
        return queryset


@track()
class CampaignLibraryAsset(TenantOwned):
    """An asset of the content library (enablement) offered with a campaign kit, beside
    the kit's own uploads.

    The asset stays the library's: a partner sees it only where the library's rules let
    it (published, not expired, aimed at its type, tier and motions), and opens or
    downloads it through the library's own pages, which check those rules again and
    count the view or download.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="library_links")
    asset = models.ForeignKey("enablement.Asset", on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    partner_scope = ALL_PARTNERS  # narrowed in the queryset (campaign and asset audiences)
    objects = TenantManager.from_queryset(CampaignLibraryAssetQuerySet)()

    class Meta:
        ordering = ("added_at",)
        constraints = [
            models.UniqueConstraint(
                fields=("tenant", "campaign", "asset"), name="campaignlibraryasset_once"
            ),
        ]
        indexes = [
            models.Index(fields=("tenant", "campaign"), name="campaignlibasset_campaign_idx"),
            models.Index(fields=("tenant", "asset"), name="campaignlibasset_asset_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.asset} in {self.campaign}"


class CampaignLaunchQuerySet(TenantQuerySet):
    def with_stats(self):
        views = (
            CampaignPageViews.objects.filter(launch=models.OuterRef("pk"))
            .order_by()
            .values("launch")
            .annotate(total=Sum("views"))
            .values("total")
        )
        leads = "leads"
        return self.annotate(
            stat_views=Subquery(views, output_field=models.IntegerField()),
            stat_leads=Count(leads, distinct=True),
            stat_accepted=Count(leads, distinct=True, filter=Q(leads__lead__status="accepted")),
            stat_deals=Count(leads, distinct=True, filter=Q(leads__lead__deal__isnull=False)),
            stat_won=Count(leads, distinct=True, filter=Q(leads__lead__deal__status="won")),
        )


@track()
class CampaignLaunch(TenantOwned):
    """One partner's co-branded edition of a campaign, with its public landing page.

    The page lives at /c/<slug>/<campaign slug>/ on the tenant's host; its views are
    counted per day in CampaignPageViews.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="launches")
    organization = models.ForeignKey(
        "partners.PartnerOrganization", on_delete=models.CASCADE, related_name="+"
    )
    slug = models.SlugField(max_length=60, help_text="The partner's part of the page address.")
    headline = models.CharField(max_length=200, blank=True)
    intro = models.TextField(blank=True)
    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField()
    contact_phone = models.CharField(max_length=40, blank=True)
    is_active = models.BooleanField(default=True, help_text="The landing page takes visitors.")
    launched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    launched_at = models.DateTimeField(auto_now_add=True)

    partner_scope = "organization"
    objects = TenantManager.from_queryset(CampaignLaunchQuerySet)()

    class Meta:
        ordering = ("-launched_at",)
        constraints = [
            models.UniqueConstraint(
                fields=("tenant", "campaign", "organization"), name="campaignlaunch_one_per_org"
            ),
            models.UniqueConstraint(
                fields=("tenant", "campaign", "slug"), name="campaignlaunch_slug_unique"
            ),
        ]
        indexes = [
            models.Index(fields=("tenant", "organization"), name="campaignlaunch_org_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.organization}"

    def get_public_path(self) -> str:
        from django.urls import reverse

        return reverse(
            "marketing:landing",
            kwargs={"partner_slug": self.slug, "campaign_slug": self.campaign.slug},
        )


class CampaignPageViews(TenantOwned):
    """How often a landing page was opened on one day: a counter, nothing about visitors
    (no address, agent or cookie is stored), and not audited (it changes on every view)."""

    launch = models.ForeignKey(CampaignLaunch, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    views = models.PositiveIntegerField(default=0)

    partner_scope = "launch__organization"

    class Meta:
        ordering = ("day",)
        constraints = [
            models.UniqueConstraint(
                fields=("tenant", "launch", "day"), name="campaignpageviews_one_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.launch} {self.day}: {self.views}"


class CampaignLead(TenantOwned):
    """A landing-page submission: the link from a launch to the deals lead it became."""

    launch = models.ForeignKey(CampaignLaunch, on_delete=models.PROTECT, related_name="leads")
    lead = models.OneToOneField("deals.Lead", on_delete=models.CASCADE, related_name="+")
    consent_text = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    partner_scope = "launch__organization"

    class Meta:
        ordering = ("-created_at",)
        indexes = [models.Index(fields=("tenant", "launch"), name="campaignlead_launch_idx")]

    def __str__(self) -> str:
        return f"{self.lead} via {self.launch}"


@track()
class CampaignFunding(TenantOwned):
    """The campaign an MDF fund request (incentives) funds: the requesting partner's own
    launch of it, named when the request is submitted (incentives.providers)."""

    fund_request = models.OneToOneField(
        "incentives.FundRequest", on_delete=models.CASCADE, related_name="campaign_funding"
    )
    launch = models.ForeignKey(CampaignLaunch, on_delete=models.PROTECT, related_name="fundings")
    created_at = models.DateTimeField(auto_now_add=True)

    partner_scope = "launch__organization"

    class Meta:
        ordering = ("-created_at",)
        indexes = [models.Index(fields=("tenant", "launch"), name="campaignfunding_launch_idx")]

    def __str__(self) -> str:
        return f"{self.fund_request_id} funds {self.launch}"
