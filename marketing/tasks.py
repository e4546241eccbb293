"""Periodic jobs of the marketing app (scheduled in prm/schedule.py, one task per tenant)."""

from __future__ import annotations

from prm.celery import tenant_task

from . import services


@tenant_task(name="marketing.escalate_help_sla")
def escalate_help_sla(*, tenant_id: int) -> int:
    """Help requests past their first-response deadline: tell the admins once."""
    return services.help_requests_escalate()


@tenant_task(name="marketing.remind_surveys")
def remind_surveys(*, tenant_id: int) -> int:
    """Surveys closing soon: remind those who have not answered, once."""
    return services.surveys_remind()
