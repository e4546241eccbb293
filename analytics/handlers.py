"""What analytics does when a lower app announces something (subscribed in apps.py)."""

from __future__ import annotations

from .tasks import schedule_partner_refresh


def on_deal_status_changed(*, tenant_id: int, organization_id, **payload) -> None:
    schedule_partner_refresh(tenant_id=tenant_id, organization_id=organization_id)


def on_certification_earned(*, tenant_id: int, organization_id=None, **payload) -> None:
    if organization_id is not None:
        schedule_partner_refresh(tenant_id=tenant_id, organization_id=organization_id)
