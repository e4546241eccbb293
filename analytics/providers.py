"""What analytics provides to the apps below it (their `providers.py` registries).

Registered from AnalyticsConfig.ready(). Every provider reads the rollups and falls back
to the lower app's live figures for a partner the rollups have not reached yet (a new
tenant before its first nightly run, a partner created today), so a page is never wrong,
only slower, until the rollups exist.
"""

from __future__ import annotations

from decimal import Decimal

from prm.core.money import format_money

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


def money(value, currency: str | None = None) -> str:
    """Whole units of the tenant's currency, written in the tenant's locale ("$12,345",
    "12.345 €"); "—" for no figure. Never summed across currencies."""
    if value is None:
        return "—"
    return format_money(value, currency, whole=True)


def percent(value) -> str:
    return "—" if value is None else f"{value}%"


def partner_list_figures(organizations) -> dict:
    """Open pipeline, won revenue (12 months) and win rate per partner, from the rollups
    (partners.providers.figure_providers): one query, whatever the page size."""
    figures = selectors.partners_trailing(
        organization_ids=[o.pk for o in organizations],
        only=("open_pipeline", "won_revenue", "won_count", "lost_count"),
    )
    values = {
        organization_id: [
            money(row.get("open_pipeline")),
            money(row["won_revenue"]),
            percent(row["win_rate"]),
        ]
        for organization_id, row in figures.items()
    }
    as_of = max((row["as_of"] for row in figures.values()), default=None)
    return {
        "columns": ["Open pipeline", "Won, 12 months", "Win rate"],
        "values": values,
        "as_of": as_of,
    }


def register_all() -> None:
    from deals.selectors import partner_tier_metrics
    from partners.providers import figure_providers, metric_providers

    figure_providers.register(partner_list_figures)

    # The rollups replace the live aggregate deals registers (and fall back to it).
    metric_providers.unregister(partner_tier_metrics)
    metric_providers.register(tier_metrics)
