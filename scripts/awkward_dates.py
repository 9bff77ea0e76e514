"""Print the awkward days the date-sensitive tests also run on, one ISO date a line.

    python scripts/awkward_dates.py

A Saturday, the end of a 30-day month, 29 February (2028 next), 31 December and an English
bank holiday: each the next one after the real today, so the set moves on with the calendar
and never lies in the past. 29 February and 31 December are the ends of the short month and
of the year; the 30th of April, June, September or November is the end of an ordinary month,
whose "same day next month" does not exist in February.
"""

from __future__ import annotations

import calendar
import datetime as dt
import sys
import zoneinfo
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reminders.working_days import bank_holidays  # noqa: E402  (plain Python, no Django)


def next_leap_day(today: dt.date) -> dt.date:
    year = today.year
    while True:
        if calendar.isleap(year) and dt.date(year, 2, 29) > today:
            return dt.date(year, 2, 29)
        year += 1


def next_thirty_day_month_end(today: dt.date) -> dt.date:
    day = today + dt.timedelta(days=1)
    while not (day.day == 30 and day.month in (4, 6, 9, 11)):
        day += dt.timedelta(days=1)
    return day


def awkward_days(today: dt.date) -> dict[str, dt.date]:
    saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)
    new_years_eve = dt.date(today.year, 12, 31)
    if new_years_eve <= today:
        new_years_eve = dt.date(today.year + 1, 12, 31)
    holiday = min(
        day for year in (today.year, today.year + 1) for day in bank_holidays(year) if day > today
    )
    return {
        "saturday": saturday,
        "month-end": next_thirty_day_month_end(today),
        "leap-day": next_leap_day(today),
        "new-years-eve": new_years_eve,
        "bank-holiday": holiday,
    }


if __name__ == "__main__":
    today = dt.datetime.now(zoneinfo.ZoneInfo("Europe/London")).date()
    for name, day in awkward_days(today).items():
        print(f"{day.isoformat()} {name}")
