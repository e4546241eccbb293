"""Benefit values: how a stored value is read and shown, by the benefit's kind.

Pure functions on the kind and the raw text, with no model or service import, so models
(TierBenefit.display), selectors (the tier matrix) and services all use them without
importing one another.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from .choices import BenefitKind


def benefit_parse_value(*, kind: str, raw: str) -> int | Decimal | bool | str:
    """Read a stored benefit value according to the benefit's kind; ValueError when bad."""
    raw = (raw or "").strip()
    if kind == BenefitKind.COUNT:
        if not raw.isdigit():
            raise ValueError("Enter a whole number, e.g. 90.")
        return int(raw)
    if kind in (BenefitKind.PERCENTAGE, BenefitKind.AMOUNT):
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise ValueError("Enter a number, e.g. 12.5.") from None
        if value < 0 or (kind == BenefitKind.PERCENTAGE and value > 100):
            raise ValueError("Enter a percentage between 0 and 100.")
        return value
    if kind == BenefitKind.FLAG:
        lowered = raw.lower()
        if lowered in ("yes", "true", "1"):
            return True
        if lowered in ("no", "false", "0", ""):
            return False
        raise ValueError("Enter yes or no.")
    return raw


def benefit_display(*, kind: str, raw: str, unit: str = "") -> str:
    """A benefit's value as people read it: "20%", "120 days", "$5,000.00", "Yes"."""
    from prm.core.money import format_money, format_number

    try:
        value = benefit_parse_value(kind=kind, raw=raw)
    except ValueError:
        return raw
    if kind == BenefitKind.PERCENTAGE:
        return f"{value.normalize():f}%"
    if kind == BenefitKind.FLAG:
        return "Yes" if value else "No"
    if kind == BenefitKind.AMOUNT:
        return format_money(value)
    if kind == BenefitKind.COUNT:
        unit = (unit or "").strip()
        if unit and value == 1 and unit.endswith("s") and len(unit) > 1:
            unit = unit[:-1]  # "1 day"
        return f"{format_number(value)} {unit}".strip()
    return str(value)
