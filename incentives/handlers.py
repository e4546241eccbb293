"""Event handlers: small, after commit, each enqueues a task carrying the tenant id."""

from __future__ import annotations

from deals.choices import DealStatus


def on_deal_status_changed(
    *, tenant_id: int, deal_id, from_status: str, to_status: str, **_payload
) -> None:
    from . import tasks

    if to_status == DealStatus.WON:
        tasks.earn_for_won_deal.delay(tenant_id=tenant_id, deal_id=str(deal_id))
    elif from_status == DealStatus.WON:
        # Reopened, lost or cancelled after being won: reverse inside the clawback window.
        tasks.reverse_deal_earnings.delay(tenant_id=tenant_id, deal_id=str(deal_id))
    if to_status == DealStatus.SUBMITTED:
        tasks.points_for_registration.delay(tenant_id=tenant_id, deal_id=str(deal_id))


def on_certification_earned(
    *, tenant_id: int, award_id, organization_id=None, renewal: bool = False, **_payload
) -> None:
    from . import tasks

    tasks.points_for_certification.delay(
        tenant_id=tenant_id,
        award_id=str(award_id),
        organization_id=str(organization_id) if organization_id else None,
        renewal=bool(renewal),
    )
