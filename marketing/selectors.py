"""Reads that span models: campaign figures, lookups for audience labels."""

from __future__ import annotations

from deals.models import Motion
from partners.models import PartnerType, Tier

from .audience import audience_summary
from .models import Campaign, CampaignLaunch

STAT_KEYS = ("views", "leads", "accepted", "deals", "won")


def audience_lookups() -> dict:
    """Names of types, tiers and motions by id (three small queries per page)."""
    return {
        "types": dict(PartnerType.objects.values_list("pk", "name")),
        "tiers": dict(Tier.objects.values_list("pk", "name")),
        "motions": dict(Motion.objects.values_list("pk", "name")),
    }


def describe_audiences(rows, lookups: dict | None = None) -> None:
    """Set `.audience_text` on each row (campaigns, announcements, surveys)."""
    lookups = lookups if lookups is not None else audience_lookups()
    for row in rows:
        row.audience_text = "; ".join(audience_summary(row, lookups=lookups))


def campaign_stats(*, campaign: Campaign) -> dict:
    row = (
        Campaign.objects.filter(pk=campaign.pk)
        .with_stats()
        .values(
            "stat_views", "stat_launches", "stat_leads", "stat_accepted", "stat_deals", "stat_won"
        )[0]
    )
    return {key.removeprefix("stat_"): value or 0 for key, value in row.items()}


def campaign_launches(*, campaign: Campaign):
    """Every partner's launch of a campaign with its figures, for the vendor."""
    return (
        CampaignLaunch.objects.filter(campaign=campaign)
        .select_related("organization")
        .with_stats()
        .order_by("organization__name")
    )
