"""Deals placed exactly in time, for hand-computed rollups."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from decimal import Decimal

from deals.models import Deal, DealTransition, Lead
from tests.deals.factories import make_deal

_seq = itertools.count(1)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def placed_deal(
    membership,
    *,
    submitted: datetime | None = None,
    approved: datetime | None = None,
    status: str = "submitted",
    amount: str = "1000",
    closed_on: date | None = None,
    final_amount: str | None = None,
    expires_on: date | None = None,
) -> Deal:
    """A registration of the membership's partner whose dates and status are set as given
    (the services stamp "now"; a rollup test needs chosen moments)."""
    n = next(_seq)
    deal = make_deal(membership, customer=f"Fixture Customer {n}", domain=f"fixture{n}.example")
    Deal.objects.filter(pk=deal.pk).update(
        status=status,
        first_submitted_at=submitted,
        submitted_at=submitted,
        approved_at=approved,
        amount=Decimal(amount),
        closed_on=closed_on,
        final_amount=Decimal(final_amount) if final_amount is not None else None,
        protection_expires_on=expires_on or (date(2099, 1, 1) if approved else None),
        rejection_reason="Not qualified" if status == "rejected" else "",
    )
    deal.refresh_from_db()
    return deal


def transition_at(deal: Deal, *, to_value: str, actor, at: datetime) -> DealTransition:
    record = DealTransition.objects.create(
        deal=deal, kind="status", from_value="submitted", to_value=to_value, actor=actor
    )
    DealTransition.objects.filter(pk=record.pk).update(created_at=at)
    return record


def lead_for(deal: Deal) -> Lead:
    return Lead.objects.create(
        customer_name=deal.customer_name, country="US", motion=deal.motion, deal=deal
    )


def month_row(organization, *, month=None, **figures):
    """A rollup row as the rollup would write it (for tests of what reads rollups)."""
    from django.utils import timezone

    from analytics.models import MonthlyMetrics
    from analytics.rollups import current_month

    return MonthlyMetrics.objects.create(
        organization=organization,
        month=month or current_month(),
        computed_at=timezone.now(),
        **figures,
    )
