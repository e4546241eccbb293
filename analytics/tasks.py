"""Jobs of the analytics app: thin, per tenant, idempotent (see prm.schedule)."""

from __future__ import annotations

from django.core.cache import cache

from prm.celery import tenant_task

from . import rollups

# How long after a deal's change its partner's current month is recomputed: changes in
# that time are folded into one refresh.
REFRESH_DELAY_SECONDS = 60


def refresh_key(tenant_id: int, organization_id) -> str:
    return f"analytics:refresh:{tenant_id}:{organization_id}"


def schedule_partner_refresh(*, tenant_id: int, organization_id) -> bool:
    """Enqueue one refresh of the partner's current month, unless one is already waiting.

    The Redis key is set atomically (cache.add) with the task's countdown; a second event
    inside the delay finds it and enqueues nothing. The task clears the key before it
    reads, so an event arriving while it runs schedules the next refresh.
    """
    if not cache.add(refresh_key(tenant_id, organization_id), 1, REFRESH_DELAY_SECONDS + 60):
        return False
    refresh_partner_month.apply_async(
        kwargs={"tenant_id": tenant_id, "organization_id": str(organization_id)},
        countdown=REFRESH_DELAY_SECONDS,
    )
    return True


@tenant_task(name="analytics.refresh_partner_month")
def refresh_partner_month(*, tenant_id: int, organization_id: str) -> int:
    """Recompute one partner's current month (and the program's) from its deals."""
    cache.delete(refresh_key(tenant_id, organization_id))
    return rollups.rollup_refresh_partner(organization_id=organization_id)


@tenant_task(name="analytics.rebuild_rollups")
def rebuild_rollups(*, tenant_id: int, months: int = 13) -> int:
    """Nightly: recompute the last 13 months of every partner and of the program."""
    return rollups.rollup_rebuild(months=months)


@tenant_task(name="analytics.score_health")
def score_health(*, tenant_id: int) -> dict[str, int]:
    """Nightly, after the rollups: health scores, churn flags, plan goal actuals."""
    from . import scorecards, services

    counts = services.health_score_all()
    counts["goals"] = scorecards.goals_fill_actuals()
    return counts


@tenant_task(name="analytics.evaluate_tiers")
def evaluate_tiers(*, tenant_id: int) -> dict[str, int]:
    """Weekly: tier proposals from the trailing 12 months; reminders of due downgrades."""
    from . import services

    counts = services.tiers_evaluate()
    counts["reminded"] = services.tier_proposals_apply_due()
    return counts
