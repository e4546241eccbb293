"""Celery tasks of the incentives app: ids in (the tenant's always), a service call, idempotent."""

from __future__ import annotations

from prm.celery import tenant_task

from . import services


@tenant_task(name="incentives.earn_for_won_deal")
def earn_for_won_deal(*, tenant_id: int, deal_id: str) -> int:
    return len(services.earnings_for_won_deal(deal_id=deal_id))


@tenant_task(name="incentives.reverse_deal_earnings")
def reverse_deal_earnings(*, tenant_id: int, deal_id: str) -> int:
    return len(services.earnings_reverse_for_deal(deal_id=deal_id))


@tenant_task(name="incentives.points_for_registration")
def points_for_registration(*, tenant_id: int, deal_id: str) -> int:
    return int(services.points_for_deal_registered(deal_id=deal_id) is not None)


@tenant_task(name="incentives.points_for_certification")
def points_for_certification(
    *, tenant_id: int, award_id: str, organization_id: str | None, renewal: bool = False
) -> int:
    entry = services.points_for_certification(
        award_id=award_id, organization_id=organization_id, renewal=renewal
    )
    return int(entry is not None)


@tenant_task(name="incentives.compute_period_earnings")
def compute_period_earnings(*, tenant_id: int) -> int:
    return sum(services.earnings_compute_periods().values())


@tenant_task(name="incentives.generate_statements")
def generate_statements(*, tenant_id: int) -> int:
    """Draft last month's statements (on the first days of a month; idempotent)."""
    return services.statements_generate()


@tenant_task(name="incentives.fund_reminders")
def fund_reminders(*, tenant_id: int) -> int:
    return sum(services.funds_send_reminders().values())
