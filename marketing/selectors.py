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


# ---------------------------------------------------------------------------------------
# Announcements
# ---------------------------------------------------------------------------------------


def announcements_unread_count(*, membership) -> int:
    """Live announcements aimed at this partner user that it has not opened (one query
    after the audience profile)."""
    from .models import Announcement, AnnouncementRead

    if membership is None or not membership.is_partner:
        return 0
    read = AnnouncementRead.objects.filter(user_id=membership.user_id).values("announcement_id")
    return Announcement.objects.visible_to(membership).exclude(pk__in=read).count()


def announcement_receipts(*, announcement) -> list:
    """Every person the announcement targets, with when they read it (None: not yet)."""
    from django.db.models import OuterRef, Subquery

    from .audience import audience_memberships
    from .models import AnnouncementRead

    read_at = AnnouncementRead.objects.filter(
        announcement=announcement, user=OuterRef("user_id")
    ).values("read_at")[:1]
    return list(
        audience_memberships(announcement)
        .select_related("user", "partner_organization")
        .annotate(read_at=Subquery(read_at))
        .order_by("partner_organization__name", "user__email")
    )


def announcement_digest_lines(since) -> dict:
    """Digest provider: announcements marked for the digest published since `since`,
    for each targeted person who has not read them."""
    from django.utils import timezone

    from .audience import audience_memberships
    from .models import Announcement, AnnouncementRead

    lines: dict = {}
    fresh = Announcement.objects.live().filter(
        include_in_digest=True, published_at__gte=since, published_at__lte=timezone.now()
    )
    for announcement in fresh:
        read = AnnouncementRead.objects.filter(announcement=announcement).values("user_id")
        user_ids = (
            audience_memberships(announcement)
            .exclude(user_id__in=read)
            .values_list("user_id", flat=True)
        )
        for user_id in user_ids:
            lines.setdefault(user_id, []).append(f"Announcement: {announcement.title}")
    return lines


def announcements_header_count(request) -> list:
    """Header provider: the partner user's unread announcements, beside the inbox."""
    from django.urls import reverse

    from prm.core.providers import HeaderCount

    membership = getattr(request, "membership", None)
    if membership is None or not membership.is_partner:
        return []
    return [
        HeaderCount(
            label="News",
            url=reverse("marketing:portal_announcement_list"),
            count=announcements_unread_count(membership=membership),
            testid="announcements-unread",
        )
    ]
