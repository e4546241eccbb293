"""Periodic jobs of the deals app: thin, per tenant, idempotent (see prm.schedule)."""

from __future__ import annotations

from prm.celery import tenant_task

from . import services


@tenant_task(name="deals.expire_lapsed")
def expire_lapsed(*, tenant_id: int) -> int:
    """Approved deals whose protection ended become expired."""
    return services.deals_expire_lapsed()


@tenant_task(name="deals.warn_expiring")
def warn_expiring(*, tenant_id: int) -> int:
    """Warn partners 7 days and 1 day before protection ends."""
    return services.deals_warn_expiring()


@tenant_task(name="deals.escalate_review_sla")
def escalate_review_sla(*, tenant_id: int) -> int:
    """Registrations past the review SLA: the channel manager, then the admins."""
    return services.deals_escalate_review_sla()


@tenant_task(name="deals.expire_lead_offers")
def expire_lead_offers(*, tenant_id: int) -> int:
    """Lead offers whose acceptance window passed go to the next partner."""
    return services.leads_expire_offers()


@tenant_task(name="deals.remind_stage_sla")
def remind_stage_sla(*, tenant_id: int) -> int:
    """Deals past their motion stage's SLA: remind the side that owns the stage."""
    return services.deals_remind_stage_sla()


@tenant_task(name="deals.import_leads", atomic=False)
def import_leads(*, tenant_id: int, lead_import_id: str, offset: int = 0) -> None:
    """A whole lead import, all or nothing (`offset` is accepted from jobs queued by
    earlier versions, which ran one chunk each, and ignored: the import starts over)."""
    services.lead_import_run(lead_import_id=lead_import_id)
