"""The charts' numbers: read the SVG back and check every point sits where its value says."""

import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from kpis import charts
from kpis.models import Unit
from kpis.selectors import indicator_data
from tests.factories import ComparatorFactory, IndicatorFactory, IndicatorValueFactory

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output


def value_scale(root: ET.Element):
    """A function from y to value, read from two labelled gridlines."""
    ticks = [
        (float(line.get("data-tick")), float(line.get("y1")))
        for line in root.iter(f"{SVG}line")
        if line.get("data-tick") is not None
    ]
    (v0, y0), (v1, y1) = ticks[0], ticks[-1]
    return lambda y: v0 + (y - y0) * (v1 - v0) / (y1 - y0)


def centre_y(element: ET.Element) -> float:
    if element.tag == f"{SVG}circle":
        return float(element.get("cy"))
    if element.tag == f"{SVG}rect":
        return float(element.get("y")) + float(element.get("height")) / 2
    ys = [float(p.split(",")[1]) for p in element.get("points").split()]
    return (min(ys) + max(ys)) / 2 if len(ys) == 4 else (min(ys) + max(ys)) / 2 + 0.5


def points(root: ET.Element) -> list[tuple[str, str, float, float]]:
    return [
        (el.get("data-series"), el.get("data-period"), float(el.get("data-value")), centre_y(el))
        for el in root.iter()
        if el.get("data-value") is not None
    ]


def test_every_point_is_drawn_at_its_value():
    svg = charts.line_chart(
        title="Vacancy rate",
        description="Medway and England",
        periods=["2019", "2020", "2021", "2022", "Aug 2023"],
        series=[
            {"name": "Medway", "own": True, "values": [20.4, 29.0, 21.5, 29.4, 29.65]},
            {"name": "England", "own": False, "values": [16.4, 16.1, 16.7, 20.0, None]},
            {"name": "South East", "own": False, "values": [16.0, 15.4, 15.8, 18.8, None]},
        ],
        unit=Unit.PERCENTAGE,
        target=20.0,
        target_label="Target 20%",
    )
    root = parse(svg)
    to_value = value_scale(root)
    drawn = points(root)
    assert len(drawn) == 5 + 4 + 4
    for series, period, value, y in drawn:
        assert to_value(y) == pytest.approx(value, abs=0.15), (series, period)
    assert [(s, p, v) for s, p, v, _ in drawn if s == "Medway"] == [
        ("Medway", "2019", 20.4),
        ("Medway", "2020", 29.0),
        ("Medway", "2021", 21.5),
        ("Medway", "2022", 29.4),
        ("Medway", "Aug 2023", 29.65),
    ]
    target = next(el for el in root.iter(f"{SVG}line") if el.get("data-target"))
    assert float(target.get("data-target")) == 20.0
    assert to_value(float(target.get("y1"))) == pytest.approx(20.0, abs=0.05)


def test_chart_is_an_image_with_a_title_and_description():
    svg = charts.line_chart(
        title="Cost <script>",
        description="Costs & more",
        periods=["2022"],
        series=[{"name": "<b>Council</b>", "own": True, "values": [1393.27]}],
        unit=Unit.MONEY,
        id_prefix="c 1",
    )
    root = parse(svg)  # escaped text keeps it well-formed XML
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c-1-title c-1-desc"
    assert root.find(f"{SVG}title").text == "Cost <script>"
    assert root.find(f"{SVG}desc").text == "Costs & more"
    assert "<script>" not in svg and "<b>" not in svg
    assert "style=" not in svg  # the page's CSP forbids inline styles


def test_period_labels_stay_inside_the_picture_and_use_the_pack_font():
    periods = ["2019", "2020", "2021", "2022", "Oct 2022 – Aug 2023"]
    svg = charts.line_chart(
        title="Turnover",
        description="Medway",
        periods=periods,
        series=[{"name": "Medway", "own": True, "values": [22.5, 18.3, 18.1, 19.3, 23.45]}],
        unit=Unit.PERCENTAGE,
        width=640,
    )
    root = parse(svg)
    assert root.get("font-family").startswith("'Source Sans 3'")
    labels = {el.text: el for el in root.iter(f"{SVG}text") if el.text in periods}
    last = labels["Oct 2022 – Aug 2023"]
    half_width = len(last.text) * 7.5 / 2  # the chart's own estimate of a character's width
    assert float(last.get("x")) + half_width <= 640
    assert float(labels["2019"].get("x")) - len("2019") * 7.5 / 2 >= 0


@pytest.mark.parametrize(
    ("low", "high"), [(0, 29.65), (0, 1510.37), (0, 1), (0, 482), (-3, 7), (0, 0.85)]
)
def test_axis_ticks_cover_the_values_in_round_steps(low, high):
    ticks = charts.nice_ticks(low, high)
    assert ticks[0] <= low and ticks[-1] >= high
    steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) == 1
    assert 3 <= len(ticks) <= 8


@pytest.mark.django_db
def test_indicator_chart_shows_the_database_values_and_says_them_in_words():
    indicator = IndicatorFactory(name="Vacancy rate", target=Decimal("20"))
    england = ComparatorFactory(name="England")
    for year, own, national in [(2021, "21.5", "16.7"), (2022, "29.4", "20.0")]:
        end = dt.date(year, 9, 30)
        IndicatorValueFactory(indicator=indicator, period_end=end, value=Decimal(own))
        IndicatorValueFactory(
            indicator=indicator, comparator=england, period_end=end, value=Decimal(national)
        )
    IndicatorValueFactory(
        indicator=indicator, period_end=dt.date(2023, 8, 31), period_label="Aug 2023",
        value=Decimal("29.65"),
    )  # fmt: skip
    item = indicator_data(indicator)
    root = parse(charts.indicator_chart(item))
    drawn = {(s, p): v for s, p, v, _ in points(root)}
    assert drawn == {
        ("Medway Council", "2021"): 21.5,
        ("Medway Council", "2022"): 29.4,
        ("Medway Council", "Aug 2023"): 29.65,
        ("England", "2021"): 16.7,
        ("England", "2022"): 20.0,
    }
    description = root.find(f"{SVG}desc").text
    assert "Medway Council: 2021 21.5%; 2022 29.4%; Aug 2023 29.65%." in description
    assert "England: 2021 16.7%; 2022 20.0%." in description
    assert "Target: 20.0%." in description
