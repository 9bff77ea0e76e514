import datetime as dt
import json
from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from actions.models import Rag
from kpis.models import Direction
from kpis.selectors import pack_section_context, scorecard_data, scorecard_reds
from tests.factories import (
    AreaForImprovementFactory,
    ComparatorFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    PriorityFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def indicators():
    england = ComparatorFactory(name="England", order=1)
    south_east = ComparatorFactory(name="South East", order=2)
    vacancy = IndicatorFactory(name="Vacancy", order=1, target=Decimal(20))
    vacancy.priorities.add(PriorityFactory(number=2, title="Workforce"))
    vacancy.areas.add(AreaForImprovementFactory(text="Staffing capacity"))
    for year, own, eng, se in [(2021, "21.5", "16.7", "15.8"), (2022, "29.4", "20.0", "18.8")]:
        end = dt.date(year, 9, 30)
        IndicatorValueFactory(indicator=vacancy, period_end=end, value=Decimal(own))
        IndicatorValueFactory(indicator=vacancy, comparator=england, period_end=end, value=eng)
        IndicatorValueFactory(indicator=vacancy, comparator=south_east, period_end=end, value=se)
    IndicatorValueFactory(
        indicator=vacancy, period_end=dt.date(2023, 8, 31), period_label="Aug 2023",
        value=Decimal("29.65"),
    )  # fmt: skip
    caseload = IndicatorFactory(
        name="Caseload", order=2, unit="count", decimal_places=0, target=Decimal(20)
    )
    IndicatorValueFactory(indicator=caseload, period_end=dt.date(2022, 6, 17), value=13)
    timeliness = IndicatorFactory(
        name="Assessments in time", order=3, good_direction=Direction.HIGHER,
        target=Decimal(85), amber_tolerance=Decimal(5),
    )  # fmt: skip
    IndicatorValueFactory(indicator=timeliness, period_end=dt.date(2022, 3, 31), value=90)
    IndicatorValueFactory(indicator=timeliness, period_end=dt.date(2023, 3, 31), value=82)
    IndicatorFactory(name="No values yet", order=4)
    return vacancy


def test_scorecard_item_has_latest_target_rag_trend_and_comparators(indicators):
    items = scorecard_data()
    assert [i["name"] for i in items] == [
        "Vacancy",
        "Caseload",
        "Assessments in time",
        "No values yet",
    ]
    vacancy = items[0]
    assert vacancy["latest"]["display"] == "29.65%"
    assert (vacancy["priorities"], vacancy["areas"]) == (["2. Workforce"], ["Staffing capacity"])
    assert vacancy["latest"]["period_label"] == "Aug 2023"
    assert vacancy["target_display"] == "20.0%"
    assert vacancy["rag"] == Rag.RED
    assert vacancy["trend"] == {
        "direction": "up",
        "better": False,
        "arrow": "↑",
        "text": "Up from 29.4% in 2022: worse",
    }
    assert [(c["name"], c["display"], c["period_label"], c["same_period"])
            for c in vacancy["comparators"]] == [
        ("England", "20.0%", "2022", False),
        ("South East", "18.8%", "2022", False),
    ]  # fmt: skip
    assert vacancy["table"]["columns"] == ["Medway Council", "England", "South East", "Target"]
    assert vacancy["table"]["rows"][-1] == {
        "period_end": "2023-08-31",
        "period_label": "Aug 2023",
        "cells": ["29.65%", "", "", "20.0%"],
    }
    assert [i["rag"] for i in items[1:]] == [Rag.GREEN, Rag.AMBER, None]
    assert items[2]["trend"]["text"] == "Down from 90.0% in 2022: worse"
    assert items[3]["latest"] is None and items[3]["rag_label"] == "Not rated"


def test_scorecard_is_plain_serialisable_data_read_in_a_fixed_number_of_queries(
    indicators, django_assert_max_num_queries
):
    with django_assert_max_num_queries(5):
        items = scorecard_data()
    assert json.loads(json.dumps(items)) == items
    IndicatorFactory.create_batch(5)
    with django_assert_max_num_queries(5):
        scorecard_data()


def test_on_date_shows_what_was_known_then(indicators):
    vacancy = scorecard_data(on=dt.date(2022, 12, 31))[0]
    assert vacancy["latest"]["display"] == "29.4%"
    assert vacancy["comparators"][0]["same_period"] is True


def test_reds_are_only_the_red_indicators(indicators):
    assert [i["name"] for i in scorecard_reds()] == ["Vacancy"]


def test_dashboard_and_pack_includes_render_from_the_selectors(indicators):
    html = render_to_string(
        "kpis/includes/scorecard_reds.html", {"scorecard_reds": scorecard_reds()}
    )
    assert "Vacancy" in html and "Caseload" not in html
    assert "29.65% (Aug 2023) against a target of 20.0%" in html
    section = pack_section_context()
    assert json.loads(json.dumps(section))["reds"] == ["Vacancy"]
    html = render_to_string("kpis/includes/pack_section.html", {"kpi_section": section})
    assert html.count('role="img"') == 3  # one chart per indicator with values
    assert "<script" not in html
    assert "Vacancy: the numbers in the chart" in html
