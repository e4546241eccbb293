"""Demo rows of the analytics app: rollups computed, health scored, tiers evaluated, and
at least one tier proposal waiting for the channel manager."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from partners.choices import LifecycleStage
from partners.models import PartnerOrganization, Tier

from . import rollups, scorecards, services
from .choices import ProposalDirection, ProposalStatus
from .models import TierProposal


def seed(people) -> None:
    """Runs after the deals demo (people.tenant is current). Safe to run again."""
    cfg = services.analytics_settings()
    if not cfg.show_rank_to_partners:
        cfg.show_rank_to_partners = True
        cfg.save(update_fields=["show_rank_to_partners"])
    rollups.rollup_rebuild()
    services.health_score_all()
    scorecards.goals_fill_actuals()
    services.tiers_evaluate()
    if TierProposal.objects.filter(status=ProposalStatus.PENDING).exists():
        return
    # The demo's figures may already match every tier: propose one upgrade by hand so the
    # proposal page has something to decide.
    organization = (
        PartnerOrganization.objects.filter(lifecycle_stage=LifecycleStage.ACTIVE)
        .select_related("tier")
        .order_by("name")
        .first()
    )
    if organization is None:
        return
    rank = organization.tier.rank if organization.tier_id else 0
    target = Tier.objects.filter(rank__gt=rank).order_by("rank").first()
    if target is None:
        return
    TierProposal.objects.create(
        organization=organization,
        from_tier=organization.tier,
        to_tier=target,
        direction=ProposalDirection.UPGRADE,
        evidence={
            "rows": [],
            "months": [
                (timezone.localdate() - timedelta(days=365)).isoformat(),
                timezone.localdate().isoformat(),
            ],
            "note": "Demo proposal: recommended by the channel team.",
        },
        effective_on=timezone.localdate(),
    )
