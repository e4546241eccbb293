"""Writes of the incentives app, by entity (see each module)."""

from .ledger import (
    Posting,
    account_for,
    balance_from_entries,
    balances,
    entry_post,
    entry_reverse,
    sum_by_currency,
)

__all__ = [
    "Posting",
    "account_for",
    "balance_from_entries",
    "balances",
    "entry_post",
    "entry_reverse",
    "sum_by_currency",
]
