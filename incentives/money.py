"""Money: Decimal only, rounded half-up to cents, one currency at a time.

The rounding rule of the whole app is ROUND_HALF_UP to two decimal places, in Python
(`cents`) and in SQL (Postgres `round(numeric, 2)` rounds half away from zero, which is
half-up for the positive amounts computed there). Computations keep full precision and
round once, at the end, when an amount is posted.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


def cents(value: Decimal | int | str) -> Decimal:
    """`value` rounded half-up to cents (2.345 → 2.35, 2.344 → 2.34)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_amount(value) -> Decimal | None:
    """A positive amount of at most two decimals from user input, else None."""
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENT):
        return None
    return amount


class CurrencyMismatchError(ValueError):
    """Two amounts of different currencies were about to be added: refused."""


def add(a: tuple[Decimal, str], b: tuple[Decimal, str]) -> tuple[Decimal, str]:
    """Add two (amount, currency) pairs of the same currency; refuse mixing them."""
    if a[1] != b[1]:
        raise CurrencyMismatchError(f"Cannot add {a[1]} to {b[1]}.")
    return a[0] + b[0], a[1]
