"""core.charts: the generic bar charts every app's charts are drawn with."""

import xml.etree.ElementTree as ET  # noqa: S405 - parsing our own output

from core import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own markup


def test_bar_chart_is_an_image_with_a_title_and_description():
    svg = charts.bar_chart(
        title="Actions by RAG", description="8 red, 3 amber.", bars=[("Red", 8, "red")]
    )
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Actions by RAG"
    assert root.find(f"{SVG}desc").text == "8 red, 3 amber."
    title_id = root.find(f"{SVG}title").get("id")
    desc_id = root.find(f"{SVG}desc").get("id")
    assert root.get("aria-labelledby") == f"{title_id} {desc_id}"


def test_bars_share_one_scale_from_zero():
    svg = charts.bar_chart(
        title="t", description="d", bars=[("A", 10, "red"), ("B", 5, "green"), ("C", 0, "blue")]
    )
    widths = [float(r.get("width")) for r in parse(svg).iter(f"{SVG}rect")]
    assert len(widths) == 2  # a zero bar draws only a baseline tick
    assert abs(widths[0] - 2 * widths[1]) < 2  # 10 is twice 5 (less the 1px stroke)
    texts = [t.text for t in parse(svg).iter(f"{SVG}text")]
    assert texts == ["A", "10", "B", "5", "C", "0"]


def test_all_text_is_escaped():
    nasty = '<script>alert("x")</script> & "quotes"'
    svg = charts.bar_chart(title=nasty, description=nasty, bars=[(nasty, 1, "red")])
    assert "<script>" not in svg
    root = parse(svg)  # still well-formed XML
    assert root.find(f"{SVG}title").text == nasty
