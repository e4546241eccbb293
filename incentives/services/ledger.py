"""The ledger: the one way money and points are recorded.

Entries are only ever inserted (Postgres refuses UPDATE and DELETE on them for the
application role: a trigger and revoked privileges). Each posting locks its account row
first, so concurrent postings on one account serialise and the account's running total
and each entry's `running_balance` stay equal to the sum of the entries. A posting's
`key` is unique per tenant: posting the same thing twice returns the first entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum

from prm.tenancy.context import require_current_tenant
from prm.tenancy.models import Membership

from ..choices import AccountKind, EntryCause
from ..models import LedgerAccount, LedgerEntry
from ..money import CurrencyMismatchError, cents


@dataclass(frozen=True)
class Posting:
    """What to post: the amount is rounded half-up to cents before it is written."""

    amount: Decimal
    cause: str
    description: str
    key: str
    program_id: object = None
    deal_id: object = None
    claim_id: object = None
    statement_id: object = None
    batch_id: object = None
    period_start: date | None = None


def account_for(*, organization_id, kind: str, currency: str, lock: bool = False) -> LedgerAccount:
    """The organization's account of this kind and currency, created on first use.

    With `lock`, the row is locked for the rest of the transaction (callers must be in
    one): that lock is what makes concurrent postings on one account safe.
    """
    tenant = require_current_tenant()
    account = None
    queryset = LedgerAccount.objects.filter(
        organization_id=organization_id, kind=kind, currency=currency
    )
    if lock:
        queryset = queryset.select_for_update()
    account = queryset.first()
    if account is None:
        try:
            with transaction.atomic():
                LedgerAccount.objects.create(
                    tenant=tenant,
                    organization_id=organization_id,
                    kind=kind,
                    currency=currency,
                )
        except IntegrityError:
            pass  # created by a concurrent posting: take theirs
        account = queryset.get()
    return account


def entry_post(
    *,
    organization_id,
    kind: str,
    currency: str,
    posting: Posting,
    acting_membership: Membership | None = None,
) -> tuple[LedgerEntry, bool]:
    """Post one entry; returns (entry, created). The same key again returns the first."""
    with transaction.atomic():
        account = account_for(
            organization_id=organization_id, kind=kind, currency=currency, lock=True
        )
        existing = LedgerEntry.objects.filter(key=posting.key).first()
        if existing is not None:
            return existing, False
        return _insert(account, posting, acting_membership=acting_membership), True


def _insert(
    account: LedgerAccount, posting: Posting, *, acting_membership=None, reverses=None
) -> LedgerEntry:
    """Append to a locked account and move its running total (caller holds the lock)."""
    amount = cents(posting.amount)
    if amount == 0:
        raise ValueError("A ledger entry cannot be zero.")
    balance = account.balance + amount
    entry = LedgerEntry.objects.create(
        tenant_id=account.tenant_id,
        account=account,
        organization_id=account.organization_id,
        kind=account.kind,
        currency=account.currency,
        amount=amount,
        running_balance=balance,
        cause=posting.cause,
        description=posting.description[:300],
        key=posting.key,
        program_id=posting.program_id,
        deal_id=posting.deal_id,
        claim_id=posting.claim_id,
        statement_id=posting.statement_id,
        batch_id=posting.batch_id,
        period_start=posting.period_start,
        reverses=reverses,
        created_by=acting_membership.user if acting_membership else None,
    )
    LedgerAccount.objects.filter(pk=account.pk).update(
        balance=balance, entry_count=account.entry_count + 1
    )
    account.balance = balance
    account.entry_count += 1
    return entry


def entry_reverse(
    *, entry: LedgerEntry, reason: str, acting_membership: Membership | None = None
) -> LedgerEntry | None:
    """Post the reversal of `entry` (its negative), once; None if it was reversed already."""
    with transaction.atomic():
        account = account_for(
            organization_id=entry.organization_id,
            kind=entry.kind,
            currency=entry.currency,
            lock=True,
        )
        if LedgerEntry.objects.filter(reverses=entry).exists():
            return None
        posting = Posting(
            amount=-entry.amount,
            cause=EntryCause.REVERSAL,
            description=f"Reversal: {entry.description} ({reason})",
            key=f"reversal:{entry.pk}",
            program_id=entry.program_id,
            deal_id=entry.deal_id,
            claim_id=entry.claim_id,
            period_start=entry.period_start,
        )
        return _insert(account, posting, acting_membership=acting_membership, reverses=entry)


def balances(*, organization_id, kind: str | None = None) -> list[LedgerAccount]:
    """The organization's accounts (one per kind and currency) with their running totals."""
    queryset = LedgerAccount.objects.filter(organization_id=organization_id)
    if kind is not None:
        queryset = queryset.filter(kind=kind)
    return list(queryset.order_by("kind", "currency"))


def balance_from_entries(*, account: LedgerAccount) -> Decimal:
    """The sum of the account's entries: what `account.balance` must always equal."""
    total = LedgerEntry.objects.filter(account=account).aggregate(total=Sum("amount"))["total"]
    return total or Decimal("0")


def sum_by_currency(entries) -> dict[str, Decimal]:
    """Totals of (amount, currency) rows per currency: never one sum across currencies."""
    totals: dict[str, Decimal] = {}
    for amount, currency in entries:
        totals[currency] = totals.get(currency, Decimal("0")) + amount
    return totals


__all__ = [
    "AccountKind",
    "CurrencyMismatchError",
    "Posting",
    "account_for",
    "balance_from_entries",
    "balances",
    "entry_post",
    "entry_reverse",
    "sum_by_currency",
]
