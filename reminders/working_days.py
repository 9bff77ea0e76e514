"""Working days in England: Monday to Friday, except bank holidays.

Bank holidays follow the standing rules for England and Wales (with substitute days when one
falls at a weekend) plus the one-off changes announced so far. A new one-off holiday needs a
line in ONE_OFF below; until then that day counts as a working day.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

# Days added or moved by proclamation: (added, removed-in-favour-of-it or None).
ONE_OFF: list[tuple[dt.date, dt.date | None]] = [
    (dt.date(2020, 5, 8), dt.date(2020, 5, 4)),  # VE Day 75: early May moved to Friday
    (dt.date(2022, 6, 2), dt.date(2022, 5, 30)),  # Platinum Jubilee: spring moved
    (dt.date(2022, 6, 3), None),  # Platinum Jubilee
    (dt.date(2022, 9, 19), None),  # State funeral of Queen Elizabeth II
    (dt.date(2023, 5, 8), None),  # Coronation of King Charles III
]


def easter_sunday(year: int) -> dt.date:
    """Western Easter (the anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _first_monday(year: int, month: int) -> dt.date:
    day = dt.date(year, month, 1)
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


def _last_monday(year: int, month: int) -> dt.date:
    next_month = dt.date(year + month // 12, month % 12 + 1, 1)
    last = next_month - dt.timedelta(days=1)
    return last - dt.timedelta(days=last.weekday())


@cache
def bank_holidays(year: int) -> frozenset[dt.date]:
    """Bank holidays in England and Wales in `year`."""
    days = set()
    new_year = dt.date(year, 1, 1)
    days.add(new_year + dt.timedelta(days={5: 2, 6: 1}.get(new_year.weekday(), 0)))
    easter = easter_sunday(year)
    days.add(easter - dt.timedelta(days=2))  # Good Friday
    days.add(easter + dt.timedelta(days=1))  # Easter Monday
    days.add(_first_monday(year, 5))  # Early May
    days.add(_last_monday(year, 5))  # Spring
    days.add(_last_monday(year, 8))  # Summer
    # Christmas Day and Boxing Day, each moved to the next free weekday if at a weekend.
    for day in (dt.date(year, 12, 25), dt.date(year, 12, 26)):
        while day.weekday() >= 5 or day in days:
            day += dt.timedelta(days=1)
        days.add(day)
    for added, removed in ONE_OFF:
        if added.year == year:
            days.add(added)
            days.discard(removed)
    return frozenset(days)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def week_start(day: dt.date) -> dt.date:
    """The Monday of the week `day` is in: weekly reminders are keyed by it."""
    return day - dt.timedelta(days=day.weekday())
