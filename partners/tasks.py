"""Periodic jobs of the partner program (one run per tenant, idempotent)."""

from prm.celery import tenant_task

from . import services


@tenant_task(name="partners.mark_inactivity")
def mark_inactivity(*, tenant_id: int) -> dict[str, int]:
    """Active partners without activity → at risk; longer still → inactive."""
    return services.partners_mark_inactivity()


@tenant_task(name="partners.remind_stalled_onboarding")
def remind_stalled_onboarding(*, tenant_id: int) -> int:
    return services.partners_remind_stalled_onboarding()


@tenant_task(name="partners.remind_agreement_expiry")
def remind_agreement_expiry(*, tenant_id: int) -> int:
    return services.partners_remind_agreement_expiry()


@tenant_task(name="partners.remind_cadence_due")
def remind_cadence_due(*, tenant_id: int) -> int:
    return services.partners_remind_cadence_due()
