"""Money as people read it: the tenant's currency and locale, one way everywhere.

Templates use the `money` filter (`{% load money %}`); CSV exports, e-mail and
notification text call `format_money`. Amounts stay `Decimal`; only the text changes.
"""

from __future__ import annotations

import copy
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, format_decimal

from prm.tenancy.context import get_current_tenant

DEFAULT_LOCALE = "en_US"
DEFAULT_CURRENCY = "USD"


@lru_cache(maxsize=64)
def _locale(code: str) -> Locale:
    try:
        return Locale.parse(code or DEFAULT_LOCALE)
    except (UnknownLocaleError, ValueError, TypeError):
        return Locale.parse(DEFAULT_LOCALE)


@lru_cache(maxsize=64)
def _whole_pattern(code: str):
    pattern = copy.copy(_locale(code).currency_formats["standard"])
    pattern.frac_prec = (0, 0)
    return pattern


def valid_locale(code: str) -> bool:
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError, TypeError):
        return False
    return True


def _tenant_defaults(currency: str | None, locale: str | None) -> tuple[str, str]:
    tenant = get_current_tenant()
    if not currency:
        currency = getattr(tenant, "currency", None) or DEFAULT_CURRENCY
    if not locale:
        locale = getattr(tenant, "locale", None) or DEFAULT_LOCALE
    return currency, locale


def _decimal(amount) -> Decimal | None:
    if amount is None or amount == "":
        return None
    try:
        return Decimal(str(amount))
    except (InvalidOperation, ValueError, TypeError):
        return None


def format_money(
    amount, currency: str | None = None, *, locale: str | None = None, whole: bool = False
) -> str:
    """`100000` → "$100,000.00" (en_US, USD) or "100.000,00 €" (de_DE, EUR).

    The currency and locale default to the current tenant's. `whole` drops the minor
    units (list columns); empty for None.
    """
    value = _decimal(amount)
    if value is None:
        return ""
    currency, locale = _tenant_defaults(currency, locale)
    return _formatted(value, currency, locale, whole)


@lru_cache(maxsize=8192)
def _formatted(value: Decimal, currency: str, locale: str, whole: bool) -> str:
    """Babel's text of one amount, kept: a page shows the same figures request after
    request (a dashboard's tables are 90 amounts), and Babel's formatting of each costs
    more than the rest of its cell."""
    if whole:
        return _whole_pattern(locale).apply(
            value, _locale(locale), currency=currency, currency_digits=False
        )
    return format_currency(value, currency, locale=_locale(locale))


def format_number(amount, *, locale: str | None = None, digits: int | None = None) -> str:
    """A plain figure (a count, a percentage) in the tenant's locale: "1,234.5"."""
    value = _decimal(amount)
    if value is None:
        return ""
    _, locale = _tenant_defaults(None, locale)
    if digits is not None:
        value = round(value, digits)
    return format_decimal(value, locale=_locale(locale))
