"""The risk heat map as SVG for the board pack: a pure function of
risks.selectors.heat_map_data(), with its colours as attributes (no stylesheet) and a
<title>/<desc> that lists every cell with risks in it. The browser page shows the same
grid as an HTML table (templates/risks/includes/heat_map_table.html)."""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core.charts import FONT_FAMILY

TEXT = "#0b0c0c"
# GOV.UK Frontend 6 palette, 50% tints: black text on them is above 7:1.
FILLS = {"red": "#e59a9a", "amber": "#fabb9c", "green": "#87bca8", None: "#f3f2f1"}


def heat_map_svg(
    data: dict, *, which: str = "current", id_prefix: str = "heat-map-svg", cell: int = 88
) -> SafeString:
    """Draw the grid; `which` is "current" or "target" (whose counts go in the cells)."""
    uid = re.sub(r"[^A-Za-z0-9_-]", "-", f"{id_prefix}-{which}")
    rows = data["rows"]
    impacts = data["impacts"]
    left, top, bottom = 150, 12, 56
    width = left + cell * len(impacts) + 12
    height = top + cell * len(rows) + bottom
    heading = "Current ratings" if which == "current" else "Target ratings"
    listed = []
    for row in rows:
        for c in row["cells"]:
            if c[f"{which}_count"]:
                refs = ", ".join(r["reference"] for r in c[which])
                listed.append(f"{c['rating']} ({c['colour_label'].lower()}): {refs}")
    description = (
        f"{heading}: "
        + ("; ".join(listed) if listed else "no risks")
        + ". Rows are likelihood, most likely at the top; columns are impact, most "
        "severe on the right."
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{uid}-title {uid}-desc" '
        f'font-family="{escape(FONT_FAMILY)}" font-size="14" '
        f'fill="{TEXT}">',
        f'<title id="{uid}-title">{escape(heading)} on the risk matrix</title>',
        f'<desc id="{uid}-desc">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for r, row in enumerate(rows):
        y = top + r * cell
        level = row["likelihood"]
        parts.append(
            f'<text x="{left - 8}" y="{y + cell / 2 + 5:.0f}" text-anchor="end">'
            f"{escape(level['code'])} {escape(level['label'])}</text>"
        )
        for i, c in enumerate(row["cells"]):
            x: float = left + i * cell
            count = c[f"{which}_count"]
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" '
                f'fill="{FILLS.get(c["colour"], FILLS[None])}" stroke="#ffffff" stroke-width="2" '
                f'data-rating="{escape(c["rating"])}" data-colour="{escape(c["colour"] or "")}" '
                f'data-count="{count}"/>'
            )
            parts.append(
                f'<text x="{x + 6}" y="{y + 18}" font-size="12">{escape(c["rating"])}</text>'
            )
            if count:
                parts.append(
                    f'<text x="{x + cell / 2:.0f}" y="{y + cell / 2 + 12:.0f}" '
                    f'text-anchor="middle" font-size="24" font-weight="bold">{count}</text>'
                )
    axis_y = top + cell * len(rows)
    for i, level in enumerate(impacts):
        x = left + i * cell + cell / 2
        parts.append(
            f'<text x="{x:.0f}" y="{axis_y + 18}" text-anchor="middle" font-size="12">'
            f"{escape(level['code'])} {escape(level['label'])}</text>"
        )
    parts.append(
        f'<text x="{left + cell * len(impacts) / 2:.0f}" y="{axis_y + 42}" '
        f'text-anchor="middle">Impact</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text above is escaped
