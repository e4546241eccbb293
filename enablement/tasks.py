"""Periodic jobs of enablement (one run per tenant, idempotent)."""

from prm.celery import tenant_task

from . import services


@tenant_task(name="enablement.remind_certification_expiry")
def remind_certification_expiry(*, tenant_id: int) -> int:
    return services.certifications_remind_expiry()


@tenant_task(name="enablement.expire_certifications")
def expire_certifications(*, tenant_id: int) -> int:
    return services.certifications_expire()


@tenant_task(name="enablement.remind_overdue_assignments")
def remind_overdue_assignments(*, tenant_id: int) -> int:
    return services.assignments_remind_overdue()
