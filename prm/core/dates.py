"""Dates written in Python exactly as the templates' `date` filter writes them.

For list rows worked out once in Python: the filter costs a format parse, a `DateFormat`
and a translated month name per call, which at three dates a row and 50 rows was a
measurable part of a queue page. Same text: the month's abbreviation in the active
language ("M"), and an aware datetime in the current time zone first, as the filter
does.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

from django.utils import timezone, translation
from django.utils.dates import MONTHS_3


@lru_cache(maxsize=16)
def _months(language: str | None) -> tuple[str, ...]:
    return ("", *(str(MONTHS_3[month]).title() for month in range(1, 13)))


def _local(value):
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def day_month(value) -> str:
    """`|date:"d M"`: "04 Dec"; empty for None."""
    if value is None:
        return ""
    value = _local(value)
    return f"{value.day:02d} {_months(translation.get_language())[value.month]}"


def day_month_year(value) -> str:
    """`|date:"d M Y"`: "04 Dec 2026"; empty for None."""
    if value is None:
        return ""
    return _day_month_year(_local(value))


def day_month_year_time(value) -> str:
    """`|date:"d M Y H:i"`: "04 Dec 2026 09:05"; empty for None."""
    if value is None:
        return ""
    value = _local(value)
    return f"{_day_month_year(value)} {value.hour:02d}:{value.minute:02d}"


def _day_month_year(value) -> str:
    return f"{value.day:02d} {_months(translation.get_language())[value.month]} {value.year:04d}"
