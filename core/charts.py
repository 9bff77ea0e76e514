"""Charts as server-rendered SVG, so the browser and the board pack PDF show the same
picture: the shared parts (palette, font, the `Chart` with its table of numbers) and the
generic bar charts. Charts of one app's data live in that app (actions.charts draws the
plan's RAG charts, kpis.charts the indicators', risks.charts the heat map).

Pure functions: numbers in, markup out; no database, no request. Every chart is an
`<svg role="img">` with a `<title>` and `<desc>` (its accessible name and description) and
comes with its numbers as a table (`Chart.columns` and `Chart.rows`), which the include
`templates/includes/chart.html` renders under the picture. All text is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# GOV.UK Frontend 6 palette, with text colours that meet 4.5:1 on each fill.
COLOURS = {
    "red": ("#ca3535", "#ffffff"),
    "amber": ("#f47738", "#0b0c0c"),
    "green": ("#0f7a52", "#ffffff"),
    "blue": ("#1d70b8", "#ffffff"),
    "grey": ("#505a5f", "#ffffff"),
}
INK = "#0b0c0c"
# The board pack's own font first (it ships with the app), then the council's web font stack.
FONT_FAMILY = "'Source Sans 3', 'Helvetica Neue', Helvetica, Arial, sans-serif"
RULE = "#b1b4b6"

WIDTH = 640
LABEL_HEIGHT = 20
BAR_HEIGHT = 24
ROW_GAP = 14
FONT_SIZE = 15
VALUE_GAP = 6
VALUE_ROOM = 48  # space right of the longest bar for its total


@dataclass(frozen=True)
class Series:
    """One kind of thing counted (a RAG rating, a status), drawn in one colour."""

    key: str
    label: str
    colour: str  # a key of COLOURS


@dataclass(frozen=True)
class Chart:
    """A picture and the table of its numbers."""

    title: str
    description: str
    svg: SafeString
    columns: list[str] = field(default_factory=list)
    rows: list[tuple[str, list[int]]] = field(default_factory=list)


def _attrs(**attrs) -> str:
    return " ".join(
        f'{name.rstrip("_").replace("_", "-")}="{escape(str(value))}"'
        for name, value in attrs.items()
    )


def _open_svg(*, title: str, description: str, height: int, chart_id: str) -> list[str]:
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart__svg" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'aria-labelledby="{escape(title_id)} {escape(desc_id)}" '
        f'font-family="{escape(FONT_FAMILY)}" font-size="{FONT_SIZE}" '
        f'preserveAspectRatio="xMinYMin meet">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(description)}</desc>',
    ]


def _text(x: float, y: float, content: str, **attrs) -> str:
    return f"<text {_attrs(x=_n(x), y=_n(y), **attrs)}>{escape(content)}</text>"


def _rect(x: float, y: float, width: float, height: float, fill: str) -> str:
    return (
        f"<rect {_attrs(x=_n(x), y=_n(y), width=_n(width), height=_n(height), fill=fill)} "
        f'stroke="{INK}" stroke-width="1"/>'
    )


def _n(value: float) -> str:
    """Numbers in SVG attributes: short and locale-free."""
    return f"{value:.1f}".removesuffix(".0")


def _chart_id(title: str) -> str:
    slug = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")
    return "chart-" + "-".join(filter(None, slug.split("-")))[:40]


def bar_chart(
    *,
    title: str,
    description: str,
    bars: Sequence[tuple[str, int, str]],
    chart_id: str | None = None,
) -> SafeString:
    """Horizontal bars, one per (label, value, colour key), each labelled with its value.
    Bars share one scale, from zero to the largest value."""
    chart_id = chart_id or _chart_id(title)
    row = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    height = max(row * len(bars), row)
    biggest = max((value for _, value, _ in bars), default=0)
    room = WIDTH - VALUE_ROOM
    parts = _open_svg(title=title, description=description, height=height, chart_id=chart_id)
    for index, (label, value, colour) in enumerate(bars):
        top = index * row
        fill, _ = COLOURS.get(colour, COLOURS["grey"])
        parts.append(_text(0, top + LABEL_HEIGHT - 5, label, fill=INK))
        bar_top = top + LABEL_HEIGHT
        width = room * value / biggest if biggest else 0
        if width:
            parts.append(_rect(0.5, bar_top, max(width - 1, 1), BAR_HEIGHT, fill))
        else:
            parts.append(
                f"<line {_attrs(x1=0.5, y1=bar_top, x2=0.5, y2=bar_top + BAR_HEIGHT)} "
                f'stroke="{INK}" stroke-width="1"/>'
            )
        parts.append(_text(width + VALUE_GAP, bar_top + BAR_HEIGHT / 2 + 5, str(value), fill=INK))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through escape()


def stacked_bar_chart(
    *,
    title: str,
    description: str,
    series: Sequence[Series],
    rows: Sequence[tuple[str, Sequence[int]]],
    chart_id: str | None = None,
) -> SafeString:
    """One horizontal bar per row, split into one segment per series, on a shared scale
    (zero to the largest row total), with a legend on top. A segment wide enough for its
    number shows it; the total follows the bar."""
    chart_id = chart_id or _chart_id(title)
    legend_height = 30
    row = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    height = legend_height + max(row * len(rows), row)
    biggest = max((sum(values) for _, values in rows), default=0)
    room = WIDTH - VALUE_ROOM
    parts = _open_svg(title=title, description=description, height=height, chart_id=chart_id)

    x = 0.0
    for item in series:
        fill, _ = COLOURS.get(item.colour, COLOURS["grey"])
        parts.append(_rect(x + 0.5, 4.5, 16, 16, fill))
        parts.append(_text(x + 22, 18, item.label, fill=INK))
        x += 22 + 9 * len(item.label) + 22

    for index, (label, values) in enumerate(rows):
        top = legend_height + index * row
        parts.append(_text(0, top + LABEL_HEIGHT - 5, label, fill=INK))
        bar_top = top + LABEL_HEIGHT
        left = 0.0
        total = sum(values)
        for item, value in zip(series, values, strict=True):
            if not value:
                continue
            width = room * value / biggest
            fill, text_colour = COLOURS.get(item.colour, COLOURS["grey"])
            parts.append(_rect(left + 0.5, bar_top, max(width - 1, 1), BAR_HEIGHT, fill))
            if width >= 9 * len(str(value)) + 8:
                parts.append(
                    _text(
                        left + width / 2,
                        bar_top + BAR_HEIGHT / 2 + 5,
                        str(value),
                        fill=text_colour,
                        text_anchor="middle",
                    )
                )
            left += width
        parts.append(_text(left + VALUE_GAP, bar_top + BAR_HEIGHT / 2 + 5, str(total), fill=INK))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through escape()
