"""The days `make test-dates` runs the date-sensitive tests on (scripts/awkward_dates.py)."""

import calendar
import datetime as dt
import importlib.util
from pathlib import Path

import pytest

from reminders.working_days import bank_holidays
from tests.factories import TODAY

_spec = importlib.util.spec_from_file_location(
    "awkward_dates", Path(__file__).resolve().parent.parent / "scripts" / "awkward_dates.py"
)
awkward_dates = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(awkward_dates)


@pytest.mark.parametrize(
    "today",
    [TODAY, dt.date(2027, 12, 31), dt.date(2028, 2, 29), dt.date(2030, 4, 29)],
    ids=str,
)
def test_every_awkward_day_is_what_it_says_and_still_to_come(today):
    days = awkward_dates.awkward_days(today)
    assert all(day > today for day in days.values())
    assert days["saturday"].weekday() == 5 and days["saturday"] - today <= dt.timedelta(days=7)
    month_end = days["month-end"]
    assert month_end.month in (4, 6, 9, 11)
    assert month_end.day == calendar.monthrange(month_end.year, month_end.month)[1]
    assert (days["leap-day"].month, days["leap-day"].day) == (2, 29)
    assert (days["new-years-eve"].month, days["new-years-eve"].day) == (12, 31)
    assert days["new-years-eve"].year - today.year <= 1
    assert days["bank-holiday"] in bank_holidays(days["bank-holiday"].year)
