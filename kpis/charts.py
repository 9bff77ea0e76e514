"""Charts as SVG drawn on the server, so the browser and the PDF board pack show the same
picture. Pure functions: data in, escaped SVG out; no database, no JavaScript, no CSS
(colours and fonts are SVG attributes, which a strict CSP allows and WeasyPrint draws).

Each chart is `role="img"` with a <title> and a <desc> that states every number, and pages
show the same numbers in a table beside it.

    line_chart(title=, description=, periods=[label], series=[{"name", "values", "own"}],
               target=None, target_label="", unit=, decimal_places=0, ...) -> SafeString
    indicator_chart(item) -> SafeString    # item: one dict from kpis.selectors

Points carry data-series, data-period and data-value attributes, gridlines data-tick and
the target line data-target, so tests (and anyone auditing a pack) can read the numbers
back and check that each point is drawn where its value says.
"""

from __future__ import annotations

import math
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core.charts import FONT_FAMILY
from kpis.models import Unit, format_value

TEXT = "#0b0c0c"
GRID = "#b1b4b6"
AXIS = "#505a5f"
TARGET = "#0b0c0c"
OWN_COLOUR = "#1d70b8"
# Comparator colours, each at least 3:1 against white (WCAG 1.4.11), and a marker shape
# each, so no line is told apart by colour alone.
PALETTE = ["#54319f", "#ca357c", "#0f7a52", "#505a5f", "#158187"]
MARKERS = ["square", "triangle", "diamond", "cross", "square"]


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering low..high: steps of 1, 2, 2.5 or 5 times a power of ten."""
    if high <= low:
        high = low + 1
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks: list[float] = []
    value = start
    while value < high + step * 0.5 and len(ticks) < 50:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(value, 10))
    return ticks


def _places_for(step: float) -> int:
    for places in range(0, 5):
        if abs(round(step, places) - step) < 1e-9:
            return places
    return 4


def _fmt(number: float) -> str:
    return f"{number:.1f}".rstrip("0").rstrip(".")


def _marker(shape: str, x: float, y: float, colour: str, attrs: str) -> str:
    size = 5
    if shape == "square":
        return (
            f'<rect x="{_fmt(x - size)}" y="{_fmt(y - size)}" width="{size * 2}" '
            f'height="{size * 2}" fill="{colour}" {attrs}/>'
        )
    if shape in ("triangle", "diamond"):
        big = size + 1
        corners = (
            [(x, y - big), (x + big, y + size), (x - big, y + size)]
            if shape == "triangle"
            else [(x, y - big), (x + big, y), (x, y + big), (x - big, y)]
        )
        points = " ".join(f"{_fmt(cx)},{_fmt(cy)}" for cx, cy in corners)
        return f'<polygon points="{points}" fill="{colour}" {attrs}/>'
    if shape == "cross":
        return (
            f'<path d="M{_fmt(x - size)} {_fmt(y - size)}L{_fmt(x + size)} {_fmt(y + size)}'
            f'M{_fmt(x - size)} {_fmt(y + size)}L{_fmt(x + size)} {_fmt(y - size)}" '
            f'stroke="{colour}" stroke-width="3" fill="none" {attrs}/>'
        )
    return f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="{size}" fill="{colour}" {attrs}/>'


def _safe_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", text) or "chart"


def line_chart(
    *,
    title: str,
    description: str,
    periods: list[str],
    series: list[dict],
    unit: str,
    decimal_places: int = 0,
    target: float | None = None,
    target_label: str = "",
    id_prefix: str = "chart",
    width: int = 640,
    height: int = 320,
) -> SafeString:
    """A line chart of values by period.

    `series`: [{"name": str, "values": [float | None per period], "own": bool}]; the own
    series is drawn thicker, in blue, with circles. The target is a dashed line.
    """
    uid = _safe_id(id_prefix)
    values = [v for s in series for v in s["values"] if v is not None]
    if target is not None:
        values.append(target)
    low = min([0.0, *values])
    high = max(values) if values else 1.0
    ticks = nice_ticks(low, high)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1
    tick_places = _places_for(step)

    legend_entries = [(s["name"], i) for i, s in enumerate(series)]
    if target is not None:
        legend_entries.append((target_label or "Target", -1))
    char_width = 7.5
    rows, x_cursor, legend_row_height = 1, 0.0, 22
    left, right, top = 72, 20, 16
    for name, _ in legend_entries:
        entry = 40 + len(name) * char_width + 20
        if x_cursor + entry > width - left and x_cursor > 0:
            rows, x_cursor = rows + 1, 0.0
        x_cursor += entry
    plot_bottom = height - 44 - rows * legend_row_height
    plot_height = plot_bottom - top
    plot_width = width - left - right

    def y_of(value: float) -> float:
        return plot_bottom - (value - ticks[0]) / (ticks[-1] - ticks[0]) * plot_height

    def x_of(index: int) -> float:
        if len(periods) <= 1:
            return left + plot_width / 2
        return left + 12 + index * (plot_width - 24) / (len(periods) - 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{uid}-title {uid}-desc" '
        f'font-family="{escape(FONT_FAMILY)}" font-size="14" '
        f'fill="{TEXT}">',
        f'<title id="{uid}-title">{escape(title)}</title>',
        f'<desc id="{uid}-desc">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    # Grid and y axis labels.
    for tick in ticks:
        y = y_of(tick)
        label = format_value(tick, unit=unit, decimal_places=tick_places)
        if unit == Unit.DAYS:
            label = label.removesuffix(" days").removesuffix(" day")
        parts.append(
            f'<line x1="{left}" y1="{_fmt(y)}" x2="{width - right}" y2="{_fmt(y)}" '
            f'stroke="{GRID}" stroke-width="1" data-tick="{tick}"/>'
        )
        parts.append(
            f'<text x="{left - 8}" y="{_fmt(y + 5)}" text-anchor="end">{escape(label)}</text>'
        )
    parts.append(
        f'<line x1="{left}" y1="{_fmt(plot_bottom)}" x2="{width - right}" '
        f'y2="{_fmt(plot_bottom)}" stroke="{AXIS}" stroke-width="2"/>'
    )
    # X axis labels, thinned if they would collide.
    every = 1
    if len(periods) > 1:
        space = (plot_width - 24) / (len(periods) - 1)
        longest = max(len(p) for p in periods) * char_width + 8
        every = max(1, math.ceil(longest / space))
    for index, period in enumerate(periods):
        if index % every and index != len(periods) - 1:
            continue
        # Centred under its point, but kept inside the picture (a long last label).
        half = len(period) * char_width / 2 + 2
        x = min(max(x_of(index), half), width - half)
        parts.append(
            f'<text x="{_fmt(x)}" y="{_fmt(plot_bottom + 22)}" '
            f'text-anchor="middle">{escape(period)}</text>'
        )
    # Target line.
    if target is not None:
        y = y_of(target)
        parts.append(
            f'<line class="app-chart__target" x1="{left}" y1="{_fmt(y)}" x2="{width - right}" '
            f'y2="{_fmt(y)}" stroke="{TARGET}" stroke-width="2" stroke-dasharray="10 6" '
            f'data-target="{target}"/>'
        )
    # Series: comparators first so the council's line is drawn on top.
    order = [i for i, s in enumerate(series) if not s.get("own")] + [
        i for i, s in enumerate(series) if s.get("own")
    ]
    styles = {}
    comparator_index = 0
    for index, s in enumerate(series):
        if s.get("own"):
            styles[index] = (OWN_COLOUR, "circle", 3)
        else:
            styles[index] = (
                PALETTE[comparator_index % len(PALETTE)],
                MARKERS[comparator_index % len(MARKERS)],
                2,
            )
            comparator_index += 1
    for index in order:
        s = series[index]
        colour, shape, stroke = styles[index]
        points = [(x_of(i), y_of(v), i, v) for i, v in enumerate(s["values"]) if v is not None]
        if not points:
            continue
        name = escape(s["name"])
        parts.append(f'<g class="app-chart__series" data-series="{name}">')
        if len(points) > 1:
            path = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y, _, _ in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" '
                f'stroke-width="{stroke}" stroke-linejoin="round"/>'
            )
        for x, y, i, v in points:
            attrs = f'data-series="{name}" data-period="{escape(periods[i])}" data-value="{v}"'
            parts.append(_marker(shape, x, y, colour, attrs))
        parts.append("</g>")
    # Legend.
    x_cursor, row = float(left), 0
    for name, index in legend_entries:
        entry = 40 + len(name) * char_width + 20
        if x_cursor + entry > width and x_cursor > left:
            row, x_cursor = row + 1, float(left)
        y = plot_bottom + 44 + row * legend_row_height
        if index == -1:
            parts.append(
                f'<line x1="{_fmt(x_cursor)}" y1="{_fmt(y - 5)}" x2="{_fmt(x_cursor + 30)}" '
                f'y2="{_fmt(y - 5)}" stroke="{TARGET}" stroke-width="2" '
                f'stroke-dasharray="10 6"/>'
            )
        else:
            colour, shape, stroke = styles[index]
            parts.append(
                f'<line x1="{_fmt(x_cursor)}" y1="{_fmt(y - 5)}" x2="{_fmt(x_cursor + 30)}" '
                f'y2="{_fmt(y - 5)}" stroke="{colour}" stroke-width="{stroke}"/>'
            )
            parts.append(_marker(shape, x_cursor + 15, y - 5, colour, ""))
        parts.append(f'<text x="{_fmt(x_cursor + 38)}" y="{_fmt(y)}">{escape(name)}</text>')
        x_cursor += entry
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text above is escaped


def describe(item: dict) -> str:
    """The chart's text alternative: every number, in words a screen reader can read."""
    sentences = [f"{item['name']}, {item['good_direction_label'].lower()}."]
    for s in item["series"]:
        if s["points"]:
            values = "; ".join(f"{p['period_label']} {p['display']}" for p in s["points"])
            sentences.append(f"{s['name']}: {values}.")
    if item["target"] is not None:
        sentences.append(f"Target: {item['target_display']}.")
    return " ".join(sentences)


SINGLE_VALUE_WIDTH = 280
SINGLE_VALUE_HEIGHT = 200


def indicator_chart(
    item: dict, *, id_prefix: str = "chart", width: int = 640, height: int = 320
) -> SafeString:
    """Chart one indicator item from kpis.selectors: its series, comparators and target. A
    single period has no line to show, so its chart is drawn small."""
    period_keys = [p["period_end"] for p in item["periods"]]
    if len(period_keys) <= 1:
        width, height = min(width, SINGLE_VALUE_WIDTH), min(height, SINGLE_VALUE_HEIGHT)
    series = []
    for s in item["series"]:
        by_period = {p["period_end"]: p["value"] for p in s["points"]}
        series.append(
            {
                "name": s["name"],
                "own": s["is_own"],
                "values": [by_period.get(key) for key in period_keys],
            }
        )
    return line_chart(
        title=f"{item['name']}: values by period",
        description=describe(item),
        periods=[p["period_label"] for p in item["periods"]],
        series=series,
        unit=item["unit"],
        decimal_places=item["decimal_places"],
        target=item["target"],
        target_label=f"Target {item['target_display']}" if item["target"] is not None else "",
        id_prefix=f"{id_prefix}-{item['id']}",
        width=width,
        height=height,
    )
