import datetime
import zoneinfo

import pytest
from django.template.defaultfilters import date as date_filter
from django.utils import timezone, translation

from prm.core.dates import day_month, day_month_year, day_month_year_time


def _values():
    utc = datetime.UTC
    yield datetime.date(2026, 1, 4)
    yield datetime.date(987, 12, 31)
    yield datetime.datetime(2026, 5, 1, 0, 5, tzinfo=utc)
    yield datetime.datetime(2026, 12, 31, 23, 59, tzinfo=utc)  # another day and year in Tokyo
    yield datetime.datetime(2026, 3, 9, 7, 30)  # naive: written as it is


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo", "America/Los_Angeles"])
def test_dates_are_written_as_the_date_filter_writes_them(language, zone):
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        for value in _values():
            # The template converts an aware datetime to the current time zone first.
            shown = timezone.template_localtime(value)
            assert day_month(value) == date_filter(shown, "d M")
            assert day_month_year(value) == date_filter(shown, "d M Y")
            if isinstance(value, datetime.datetime):
                assert day_month_year_time(value) == date_filter(shown, "d M Y H:i")


def test_no_date_is_empty():
    assert day_month(None) == day_month_year(None) == day_month_year_time(None) == ""
