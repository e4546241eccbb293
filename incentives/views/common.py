"""Small helpers shared by the portal and console pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from ..services import period_label


def apply_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form, by field where the field exists."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or "You cannot do this."


def statement_period(statement) -> str:
    return period_label(statement.period_start, statement.period_unit)
