"""Isolation cases for the analytics app's pages and API endpoints."""

from __future__ import annotations

from datetime import date

from analytics.models import TierProposal
from partners.models import Tier
from tests.isolation.registry import Target, register


def _proposal(world):
    tier = Tier.objects.get_or_create(rank=8, defaults={"name": "Iso Analytics Tier"})[0]
    # One pending proposal per partner: cases built into the same world share it.
    proposal, _ = TierProposal.objects.get_or_create(
        organization=world.org_a1,
        status="pending",
        defaults={
            "to_tier": tier,
            "direction": "upgrade",
            "effective_on": date(2026, 1, 1),
            "evidence": {"rows": [], "months": ["2025-01-01", "2025-12-01"]},
        },
    )
    return Target(kwargs={"pk": proposal.pk}, obj=proposal)


@register("analytics:proposal_approve", "analytics:proposal_reject", owner="staff")
def _proposal_page(world):
    return _proposal(world)


@register("analytics:scorecard", "analytics:mark_at_risk", owner="staff")
def _organization(world):
    return Target(kwargs={"pk": world.org_a1.pk}, obj=world.org_a1)


@register("analytics:tier_requirements", owner="staff")
def _tier(world):
    tier = Tier.objects.get_or_create(rank=9, defaults={"name": "Iso Requirements Tier"})[0]
    return Target(kwargs={"pk": tier.pk}, obj=tier, marker="Iso Requirements Tier")


API_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@register("api:monthlymetrics-detail", methods=API_METHODS)
def _month_row(world):
    from analytics.models import MonthlyMetrics
    from tests.analytics.factories import month_row

    row = MonthlyMetrics.objects.filter(organization=world.org_a1).first() or month_row(
        world.org_a1, won_count=7
    )
    return Target(kwargs={"pk": row.pk}, obj=row)


@register("api:healthscore-detail", owner="staff", methods=API_METHODS)
def _health(world):
    from django.utils import timezone

    from analytics.models import HealthScore

    health, _ = HealthScore.objects.get_or_create(
        organization=world.org_a1, defaults={"score": 42, "computed_at": timezone.now()}
    )
    return Target(kwargs={"pk": health.pk}, obj=health)


@register(
    "api:tierproposal-detail",
    "api:tierproposal-approve",
    "api:tierproposal-reject",
    owner="staff",
    methods=API_METHODS,
)
def _proposal_api(world):
    return _proposal(world)


@register("api:scorecard-detail", owner="staff", methods=API_METHODS)
def _scorecard_api(world):
    return Target(kwargs={"pk": world.org_a1.pk}, obj=world.org_a1)
