"""Medway's indicators for the demo, from the seeds.

Figures: the Overview and Scrutiny Committee presentation of 5 October 2023 (workforce
tables for Medway, England and the South East 2019-2022, the 2023 vacancy and turnover
figures, agency staff, children in care 2021-2023, average IFA cost) and the council's
improvement web page (caseload 13 against the 20 most councils aim for, children in care
444 "down from 470", child-protection plans 168 "down from 475 in April 2020").

Where the seeds give a year but no date, the period end is the usual statistical date
(30 September for the workforce census, 31 March otherwise) and the note says so. The
seeds give no council targets except the caseload benchmark; the vacancy and turnover
targets here are demo choices (the England rate for 2022) and say so in their definitions.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from accounts.models import User
from actions.models import Priority
from inspections import demo as inspections_demo
from kpis.models import Comparator, Direction, Frequency, Indicator, IndicatorValue, Unit

D = dt.date
PRESENTATION = "Overview and Scrutiny Committee presentation, 5 October 2023"
WEB_PAGE = "Council web page on improving children's services (updated 17 June 2022)"
CENSUS_NOTE = "Children's social work workforce census year to 30 September."
YEAR_ONLY = "The source gives the year only; recorded at 31 March."
WEB_PAGE_NOTE = "The page does not date the figure; recorded at the page's update date."

COMPARATORS = [
    ("England", "All local authorities in England", 1),
    ("South East", "Local authorities in the South East region", 2),
    ("Statistical neighbours", "The council's statistical neighbours (DfE)", 3),
]

# code: name, definition, unit, places, direction, frequency, target, tolerance, owner,
#       priorities, areas (inspection key, order), order
INDICATORS: dict[str, tuple] = {
    "sw-vacancy-rate": (
        "Social worker vacancy rate",
        "Vacant children's social worker posts (FTE) as a percentage of all posts. Demo "
        "target: at or below the England rate for 2022 (20.0%).",
        Unit.PERCENTAGE,
        1,
        Direction.LOWER,
        Frequency.ANNUAL,
        "20.0",
        "2.0",
        "gokafor",
        [2],
        [("ilacs-2019", 2)],
        1,
    ),
    "sw-turnover-rate": (
        "Social worker turnover rate",
        "Children's social workers (FTE) who left in the year as a percentage of those in "
        "post. Demo target: at or below the England rate for 2022 (17.1%).",
        Unit.PERCENTAGE,
        1,
        Direction.LOWER,
        Frequency.ANNUAL,
        "17.1",
        "2.0",
        "gokafor",
        [2],
        [("ilacs-2019", 2)],
        2,
    ),
    "agency-staff": (
        "Agency staff in children's services",
        "Agency workers across children's services, including project teams procured to "
        "cover unfilled posts.",
        Unit.COUNT,
        0,
        Direction.LOWER,
        Frequency.QUARTERLY,
        None,
        "0",
        "gokafor",
        [2],
        [("ilacs-2019", 2)],
        3,
    ),
    "average-caseload": (
        "Average social worker caseload",
        "Children per social worker across the whole service. Nationally most councils aim for 20.",
        Unit.COUNT,
        0,
        Direction.LOWER,
        Frequency.MONTHLY,
        "20",
        "2",
        "hmarsh",
        [2],
        [("ilacs-2019", 2)],
        4,
    ),
    "cp-plans": (
        "Children on child-protection plans",
        "Children subject to a child-protection plan on the date counted.",
        Unit.COUNT,
        0,
        Direction.LOWER,
        Frequency.MONTHLY,
        None,
        "0",
        "nhussain",
        [1],
        [("ilacs-2019", 5)],
        5,
    ),
    "children-in-care": (
        "Children in care",
        "Children looked after by the council on the date counted.",
        Unit.COUNT,
        0,
        Direction.LOWER,
        Frequency.ANNUAL,
        None,
        "0",
        "tfletcher",
        [1],
        [("ilacs-2019", 6)],
        6,
    ),
    "ifa-average-cost": (
        "Average independent fostering agency (IFA) cost",
        "The average cost of an independent fostering agency placement, from the "
        "sufficiency strategy update.",
        Unit.MONEY,
        2,
        Direction.LOWER,
        Frequency.ANNUAL,
        None,
        "0",
        "tfletcher",
        [3],
        [("ilacs-2019", 10)],
        7,
    ),
}

# code, comparator (None = Medway), period start, period end, label, value, source, note
VALUES: list[tuple] = []


def _census(code: str, rows: dict[str | None, list[str]], with_start: bool) -> None:
    for comparator, figures in rows.items():
        for year, figure in zip(range(2019, 2023), figures, strict=True):
            start = D(year - 1, 10, 1) if with_start else None
            VALUES.append(
                (
                    code,
                    comparator,
                    start,
                    D(year, 9, 30),
                    str(year),
                    figure,
                    PRESENTATION,
                    CENSUS_NOTE,
                )
            )


_census(
    "sw-vacancy-rate",
    {
        None: ["20.4", "29.0", "21.5", "29.4"],
        "England": ["16.4", "16.1", "16.7", "20.0"],
        "South East": ["16.0", "15.4", "15.8", "18.8"],
    },
    with_start=False,
)
_census(
    "sw-turnover-rate",
    {
        None: ["22.5", "18.3", "18.1", "19.3"],
        "England": ["15.1", "13.5", "15.4", "17.1"],
        "South East": ["15.0", "12.6", "14.6", "18.6"],
    },
    with_start=True,
)
VALUES += [
    (
        "sw-vacancy-rate",
        None,
        None,
        D(2023, 8, 31),
        "Aug 2023",
        "29.65",
        PRESENTATION,
        "As of 31 August 2023: 78.94 FTE social work vacancies.",
    ),
    (
        "sw-turnover-rate",
        None,
        D(2022, 10, 1),
        D(2023, 8, 31),
        "Oct 2022 – Aug 2023",
        "23.45",
        PRESENTATION,
        "43.91 FTE permanent social workers left in the period.",
    ),
    (
        "agency-staff",
        None,
        None,
        D(2023, 10, 5),
        "Oct 2023",
        "84",
        PRESENTATION,
        "Includes three project teams (46 agency workers) procured to cover unfilled posts.",
    ),
    (
        "average-caseload",
        None,
        None,
        D(2022, 6, 17),
        "Jun 2022",
        "13",
        WEB_PAGE,
        "One of the lowest caseloads nationally (13 across the whole service). " + WEB_PAGE_NOTE,
    ),
    (
        "cp-plans",
        None,
        None,
        D(2020, 4, 30),
        "Apr 2020",
        "475",
        WEB_PAGE,
        '"Now 168 down from 475 in April 2020".',
    ),
    ("cp-plans", None, None, D(2022, 6, 17), "Jun 2022", "168", WEB_PAGE, WEB_PAGE_NOTE),
    ("children-in-care", None, None, D(2021, 3, 31), "2021", "448", PRESENTATION, YEAR_ONLY),
    ("children-in-care", None, None, D(2022, 3, 31), "2022", "472", PRESENTATION, YEAR_ONLY),
    (
        "children-in-care",
        None,
        None,
        D(2022, 6, 17),
        "Jun 2022",
        "444",
        WEB_PAGE,
        '"Currently 444, down from 470". ' + WEB_PAGE_NOTE,
    ),
    ("children-in-care", None, None, D(2023, 3, 31), "2023", "482", PRESENTATION, YEAR_ONLY),
    ("ifa-average-cost", None, None, D(2022, 3, 31), "2022", "1393.27", PRESENTATION, YEAR_ONLY),
    (
        "ifa-average-cost",
        None,
        None,
        D(2023, 3, 31),
        "2023",
        "1510.37",
        PRESENTATION,
        "A 7.8% increase on 2022. " + YEAR_ONLY,
    ),
]


@transaction.atomic
def load(*, today: dt.date | None = None, **kwargs) -> dict[str, Indicator]:
    comparators = {
        name: Comparator.objects.update_or_create(
            name=name, defaults={"description": description, "order": order}
        )[0]
        for name, description, order in COMPARATORS
    }
    people = {u.username: u for u in User.objects.all()}
    indicators = {}
    for code, row in INDICATORS.items():
        (name, definition, unit, places, direction, frequency, target, tolerance, owner,
         priorities, areas, order) = row  # fmt: skip
        indicator, _ = Indicator.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "definition": definition,
                "unit": unit,
                "decimal_places": places,
                "good_direction": direction,
                "frequency": frequency,
                "target": Decimal(target) if target is not None else None,
                "amber_tolerance": Decimal(tolerance),
                "owner": people[owner],
                "order": order,
            },
        )
        indicator.priorities.set(Priority.objects.filter(number__in=priorities))
        indicator.areas.set([inspections_demo.area(*key) for key in areas])
        indicators[code] = indicator
    for code, comparator, start, end, label, value, source, note in VALUES:
        IndicatorValue.objects.update_or_create(
            indicator=indicators[code],
            comparator=comparators[comparator] if comparator else None,
            period_end=end,
            defaults={
                "period_start": start,
                "period_label": label,
                "value": Decimal(value),
                "source": source,
                "note": note,
            },
        )
    return indicators
