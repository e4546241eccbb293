"""Statements and payout batches: figures from the ledger, one payment per batch."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from incentives import services
from incentives.choices import AccountKind, EntryCause, PeriodUnit, StatementStatus
from incentives.models import LedgerAccount, LedgerEntry, Statement
from prm.tenancy.context import tenant_context
from tests.factories import MembershipFactory, PartnerOrganizationFactory, TenantFactory

pytestmark = pytest.mark.django_db


def _post(org, amount, key, cause=EntryCause.SPIFF, currency="USD"):
    entry, _ = services.entry_post(
        organization_id=org.pk,
        kind=AccountKind.EARNINGS,
        currency=currency,
        posting=services.Posting(amount=Decimal(amount), cause=cause, description=key, key=key),
    )
    return entry


def test_statement_figures_agree_with_the_ledger(partner_org, cm_membership, monkeypatch):
    # Entries get now() from Postgres; draw the statement for this month by pretending
    # today is next month.
    _post(partner_org, "500", "a")
    _post(partner_org, "250.25", "b")
    reversed_entry = _post(partner_org, "100", "c")
    services.entry_reverse(entry=reversed_entry, reason="deal lost")
    _post(partner_org, "70", "eur", currency="EUR")
    today = timezone.localdate()
    next_month = (today.replace(day=28) + timedelta(days=5)).replace(day=1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: next_month)
    assert services.statements_generate(unit=PeriodUnit.MONTH, day=today) == 2
    assert services.statements_generate(unit=PeriodUnit.MONTH, day=today) == 0  # idempotent
    usd = Statement.objects.get(organization=partner_org, currency="USD")
    assert usd.credits == Decimal("850.25") and usd.debits == Decimal("-100.00")
    assert usd.closing_balance == Decimal("750.25") == usd.amount_due
    assert usd.entry_count == 4
    account = LedgerAccount.objects.get(organization=partner_org, currency="USD")
    assert usd.closing_balance == account.balance
    assert sum(e.amount for e in services.statement_entries(statement=usd)) == usd.closing_balance
    eur = Statement.objects.get(organization=partner_org, currency="EUR")
    assert eur.amount_due == Decimal("70.00")  # never summed with USD

    with pytest.raises(ValidationError):
        services.statement_release(statement=usd, acting_membership=cm_membership)
    services.statement_approve(statement=usd, acting_membership=cm_membership)
    usd = services.statement_release(statement=usd, acting_membership=cm_membership)
    assert usd.status == StatementStatus.PAYABLE
    with pytest.raises(ValidationError) as info:
        services.payout_batch_create(
            acting_membership=cm_membership, statement_ids=[usd.pk, eur.pk], claim_ids=[]
        )
    assert "not payable" in str(info.value)
    batch = services.payout_batch_create(
        acting_membership=cm_membership, statement_ids=[usd.pk], claim_ids=[]
    )
    assert batch.total == Decimal("750.25")
    with pytest.raises(ValidationError):  # a payable goes in one batch only
        services.payout_batch_create(
            acting_membership=cm_membership, statement_ids=[usd.pk], claim_ids=[]
        )
    services.payout_batch_mark_paid(batch=batch, acting_membership=cm_membership)
    account.refresh_from_db()
    assert account.balance == Decimal("0.00")
    payout = LedgerEntry.objects.get(cause=EntryCause.PAYOUT)
    assert payout.amount == Decimal("-750.25") and payout.batch_id == batch.pk


def test_statements_only_for_closed_periods(partner_org):
    with pytest.raises(ValidationError):
        services.statements_generate(unit=PeriodUnit.MONTH, day=timezone.localdate())


@pytest.mark.django_db(transaction=True)
def test_a_batch_is_paid_once_even_concurrently(monkeypatch):
    tenant = TenantFactory(slug="pay-race", name="Pay race")
    with tenant_context(tenant):
        org = PartnerOrganizationFactory()
        staff = MembershipFactory(role="admin")
        _post(org, "300", "earned")
        today = timezone.localdate()
        next_month = (today.replace(day=28) + timedelta(days=5)).replace(day=1)
        monkeypatch.setattr(timezone, "localdate", lambda *a, **k: next_month)
        services.statements_generate(unit=PeriodUnit.MONTH, day=today)
        statement = Statement.objects.get()
        services.statement_approve(statement=statement, acting_membership=staff)
        services.statement_release(statement=statement, acting_membership=staff)
        batch = services.payout_batch_create(
            acting_membership=staff, statement_ids=[statement.pk], claim_ids=[]
        )
    barrier = threading.Barrier(5)
    outcomes = []

    def run():
        try:
            barrier.wait(timeout=10)
            with tenant_context(tenant):
                services.payout_batch_mark_paid(batch=batch, acting_membership=staff)
            outcomes.append("paid")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert outcomes.count("paid") == 1
    assert sum("already" in o for o in outcomes) == 4
    with tenant_context(tenant):
        assert LedgerEntry.objects.filter(cause=EntryCause.PAYOUT).count() == 1
        assert LedgerAccount.objects.get(organization=org).balance == Decimal("0.00")
