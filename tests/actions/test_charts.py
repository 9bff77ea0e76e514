import re
import xml.etree.ElementTree as ET  # noqa: S405 - parsing our own output

from django.template.loader import render_to_string

from actions import charts
from core.charts import COLOURS

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own markup


def test_all_text_is_escaped():
    nasty = '<script>alert("x")</script> & "quotes"'
    chart = charts.rag_by_priority_chart([(nasty, {"red": 1})])
    assert "<script>" not in chart.svg
    parse(chart.svg)


def test_stacked_bars_split_each_row_by_series_and_show_totals():
    chart = charts.rag_by_priority_chart(
        [("1. Practice", {"red": 3, "amber": 1, "green": 3, "blue": 5}), ("2. Workforce", {})]
    )
    assert chart.columns == ["Priority", "Red", "Amber", "Green", "Complete", "Total"]
    assert chart.rows == [("1. Practice", [3, 1, 3, 5, 12]), ("2. Workforce", [0, 0, 0, 0, 0])]
    root = parse(chart.svg)
    fills = [r.get("fill") for r in root.iter(f"{SVG}rect")]
    legend, segments = fills[:4], fills[4:]
    assert segments == [COLOURS[c][0] for c in ("red", "amber", "green", "blue")]
    assert legend == segments
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "12" in texts and "0" in texts  # both totals
    assert "1. Practice: 3 red, 1 amber, 3 green, 5 complete." in chart.description


def test_empty_data_still_draws_a_valid_chart():
    for chart in (charts.rag_counts_chart({}), charts.rag_by_priority_chart([])):
        root = parse(chart.svg)
        assert float(root.get("height")) > 0


def test_rag_counts_chart_numbers_table_matches_the_picture():
    chart = charts.rag_counts_chart({"red": 8, "amber": 3, "green": 13, "blue": 19})
    assert chart.rows == [("Red", [8]), ("Amber", [3]), ("Green", [13]), ("Complete", [19])]
    assert chart.description == "43 rated actions: 8 red, 3 amber, 13 green, 19 complete."
    numbers = [t.text for t in parse(chart.svg).iter(f"{SVG}text") if t.text.isdigit()]
    assert numbers == ["8", "3", "13", "19"]


def test_include_renders_the_picture_with_its_table():
    chart = charts.rag_counts_chart({"red": 2})
    html = render_to_string("includes/chart.html", {"chart": chart})
    assert chart.svg in html
    assert "Actions by RAG rating: the numbers" in html
    row = r'<th scope="row" class="govuk-table__header">Red</th>\s*<td[^>]*>2</td>'
    assert re.search(row, html)
