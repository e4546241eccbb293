"""Writes of the analytics app, by entity; the public names are exported here."""

from .health import (
    analytics_settings,
    analytics_settings_save,
    health_score_all,
    health_weights_validate,
    partner_mark_at_risk,
)
from .tiers import (
    TierMove,
    tier_proposal_approve,
    tier_proposal_reject,
    tier_proposals_apply_due,
    tier_qualifying,
    tier_requirements_save,
    tier_requirements_what_if,
    tiers_evaluate,
)

__all__ = [
    "TierMove",
    "analytics_settings",
    "analytics_settings_save",
    "health_score_all",
    "health_weights_validate",
    "partner_mark_at_risk",
    "tier_proposal_approve",
    "tier_proposal_reject",
    "tier_proposals_apply_due",
    "tier_qualifying",
    "tier_requirements_save",
    "tier_requirements_what_if",
    "tiers_evaluate",
]
