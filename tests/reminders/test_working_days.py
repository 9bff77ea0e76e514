import datetime as dt

import pytest

from reminders.working_days import bank_holidays, easter_sunday, is_working_day, week_start

D = dt.date

# Published by GOV.UK for England and Wales.
PUBLISHED = {
    2020: [D(2020, 1, 1), D(2020, 4, 10), D(2020, 4, 13), D(2020, 5, 8), D(2020, 5, 25),
           D(2020, 8, 31), D(2020, 12, 25), D(2020, 12, 28)],
    2021: [D(2021, 1, 1), D(2021, 4, 2), D(2021, 4, 5), D(2021, 5, 3), D(2021, 5, 31),
           D(2021, 8, 30), D(2021, 12, 27), D(2021, 12, 28)],
    2022: [D(2022, 1, 3), D(2022, 4, 15), D(2022, 4, 18), D(2022, 5, 2), D(2022, 6, 2),
           D(2022, 6, 3), D(2022, 8, 29), D(2022, 9, 19), D(2022, 12, 26), D(2022, 12, 27)],
    2023: [D(2023, 1, 2), D(2023, 4, 7), D(2023, 4, 10), D(2023, 5, 1), D(2023, 5, 8),
           D(2023, 5, 29), D(2023, 8, 28), D(2023, 12, 25), D(2023, 12, 26)],
    2025: [D(2025, 1, 1), D(2025, 4, 18), D(2025, 4, 21), D(2025, 5, 5), D(2025, 5, 26),
           D(2025, 8, 25), D(2025, 12, 25), D(2025, 12, 26)],
    2026: [D(2026, 1, 1), D(2026, 4, 3), D(2026, 4, 6), D(2026, 5, 4), D(2026, 5, 25),
           D(2026, 8, 31), D(2026, 12, 25), D(2026, 12, 28)],
    2027: [D(2027, 1, 1), D(2027, 3, 26), D(2027, 3, 29), D(2027, 5, 3), D(2027, 5, 31),
           D(2027, 8, 30), D(2027, 12, 27), D(2027, 12, 28)],
}  # fmt: skip


@pytest.mark.parametrize("year", sorted(PUBLISHED))
def test_bank_holidays_match_the_published_lists(year):
    assert sorted(bank_holidays(year)) == PUBLISHED[year]


@pytest.mark.parametrize("year,easter", [(2024, D(2024, 3, 31)), (2038, D(2038, 4, 25))])
def test_easter(year, easter):
    assert easter_sunday(year) == easter


def test_working_days():
    assert is_working_day(D(2026, 11, 23))  # Monday
    assert not is_working_day(D(2026, 11, 22))  # Sunday
    assert not is_working_day(D(2026, 12, 28))  # Boxing Day substitute


def test_week_start_is_monday():
    assert week_start(D(2026, 11, 29)) == D(2026, 11, 23)
    assert week_start(D(2026, 11, 23)) == D(2026, 11, 23)
