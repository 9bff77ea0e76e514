from decimal import Decimal

import pytest

from actions.models import Rag
from kpis.models import Indicator, IndicatorValue
from kpis.selectors import scorecard_data
from tests.factories import load_demo

pytestmark = pytest.mark.django_db


def snapshot():
    return sorted(
        IndicatorValue.objects.values_list(
            "indicator__code", "comparator__name", "period_end", "value", "period_label", "note"
        ),
        key=str,
    ) + sorted(Indicator.objects.values_list("code", "target", "owner__username"))


def series(code: str, comparator: str | None) -> list[tuple[str, Decimal]]:
    values = IndicatorValue.objects.filter(indicator__code=code, comparator__name=comparator)
    if comparator is None:
        values = IndicatorValue.objects.filter(indicator__code=code, comparator__isnull=True)
    return [(v.period_name, v.value) for v in values.order_by("period_end")]


def test_demo_indicators_match_the_seeds_and_reload_unchanged(demo):
    first = snapshot()
    load_demo()
    assert snapshot() == first

    D = Decimal
    years = ["2019", "2020", "2021", "2022"]
    assert series("sw-vacancy-rate", None) == list(
        zip(years + ["Aug 2023"], map(D, ["20.4", "29.0", "21.5", "29.4", "29.65"]), strict=True)
    )
    assert series("sw-vacancy-rate", "England") == list(
        zip(years, map(D, ["16.4", "16.1", "16.7", "20.0"]), strict=True)
    )
    assert series("sw-vacancy-rate", "South East") == list(
        zip(years, map(D, ["16.0", "15.4", "15.8", "18.8"]), strict=True)
    )
    assert series("sw-turnover-rate", None) == list(
        zip(
            years + ["Oct 2022 – Aug 2023"],
            map(D, ["22.5", "18.3", "18.1", "19.3", "23.45"]),
            strict=True,
        )
    )
    assert series("sw-turnover-rate", "England") == list(
        zip(years, map(D, ["15.1", "13.5", "15.4", "17.1"]), strict=True)
    )
    assert series("sw-turnover-rate", "South East") == list(
        zip(years, map(D, ["15.0", "12.6", "14.6", "18.6"]), strict=True)
    )
    assert [v for _, v in series("children-in-care", None)] == [448, 472, 444, 482]
    assert [v for _, v in series("cp-plans", None)] == [475, 168]
    assert [v for _, v in series("average-caseload", None)] == [13]
    assert [v for _, v in series("agency-staff", None)] == [84]
    assert [v for _, v in series("ifa-average-cost", None)] == [D("1393.27"), D("1510.37")]

    items = {item["code"]: item for item in scorecard_data()}
    assert items["sw-vacancy-rate"]["rag"] == Rag.RED
    assert items["average-caseload"]["rag"] == Rag.GREEN
    assert items["average-caseload"]["target_display"] == "20"
    assert items["ifa-average-cost"]["latest"]["display"] == "£1,510.37"
    assert items["cp-plans"]["trend"]["text"] == "Down from 475 in Apr 2020: better"
