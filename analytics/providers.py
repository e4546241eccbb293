"""What analytics provides to the apps below it (their `providers.py` registries).

Registered from AnalyticsConfig.ready(). Every provider reads the rollups and falls back
to the lower app's live figures for a partner the rollups have not reached yet (a new
tenant before its first nightly run, a partner created today), so a page is never wrong,
only slower, until the rollups exist.
"""

from __future__ import annotations

from decimal import Decimal

from . import selectors


def tier_metrics(organization) -> dict:
    """Trailing-12-month figures of tier requirements (partners.providers.metric_providers).

    Twelve calendar months in the tenant's time zone, this one included.
    """
    figures = selectors.partners_trailing(organization_ids=[organization.pk]).get(organization.pk)
    if figures is None:
        from deals.selectors import partner_tier_metrics

        return partner_tier_metrics(organization)
    return {
        "min_won_revenue": Decimal(figures["won_revenue"] or 0),
        "min_won_deals": int(figures["won_count"] or 0),
        "min_approved_registrations": int(figures["registrations_approved"] or 0),
    }


def register_all() -> None:
    from deals.selectors import partner_tier_metrics
    from partners.providers import metric_providers

    # The rollups replace the live aggregate deals registers (and fall back to it).
    metric_providers.unregister(partner_tier_metrics)
    metric_providers.register(tier_metrics)
