"""Plain-data reads of the indicators for the scorecard, the dashboard and the board pack.

Everything here returns JSON-serialisable dicts and lists (numbers as floats, dates as ISO
strings, display text already formatted), so a report can store exactly what it showed.
`kpis.charts.indicator_chart(item)` draws any item of `scorecard_data()`.

    scorecard_data(on=None)        -> [indicator item, ...] every indicator, scorecard order
    indicator_data(indicator, on)  -> one indicator item
    scorecard_reds(on=None)        -> the items rated red (for the dashboard)
    pack_section_context(on=None)  -> {"indicators": [item + "chart_svg"], "reds": [...],
                                       "rag_rule": str, "on": iso date or None}

`on` limits values to periods ending on or before that date (a pack shows what was known
then); None means every value. An indicator item:

    {"id", "code", "name", "definition", "url", "unit", "unit_label", "decimal_places",
     "good_direction", "good_direction_label", "frequency_label", "owner",
     "priorities": [str], "areas": [str],
     "target": float | None, "target_display", "amber_tolerance": float, "tolerance_display",
     "rag": "red" | "amber" | "green" | None, "rag_label",
     "latest": point | None, "previous": point | None,
     "trend": {"direction": "up"|"down"|"level"|"none", "better": bool | None,
               "arrow": "↑"|"↓"|"→"|"", "text"},
     "comparators": [{"name", "period_label", "period_end", "value", "display",
                      "same_period": bool}],     # each comparator's latest value
     "periods": [{"period_end", "period_label"}], # every period with any value, in order
     "series": [{"name", "is_own", "points": [point]}],  # council first, then comparators
     "table": {"columns": [str], "rows": [{"period_label", "period_end", "cells": [str]}]}}

    point = {"period_end": "2022-09-30", "period_label": "2022", "value": 29.4,
             "display": "29.4%", "source": str, "note": str}
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.utils import timezone

from actions.models import Rag
from kpis import charts
from kpis.models import RAG_RULE, Direction, Indicator, IndicatorValue, Unit, trend_between

ARROWS = {"up": "↑", "down": "↓", "level": "→", "none": ""}


def own_series_name() -> str:
    return settings.COUNCIL_NAME


def _point(indicator: Indicator, value: IndicatorValue) -> dict:
    return {
        "period_end": value.period_end.isoformat(),
        "period_label": value.period_name,
        "value": float(value.value),
        "display": indicator.format(value.value),
        "source": value.source,
        "note": value.note,
    }


def _trend(indicator: Indicator, own: list[IndicatorValue]) -> dict:
    latest = own[-1] if own else None
    previous = own[-2] if len(own) > 1 else None
    direction, better = trend_between(
        latest=latest.value if latest else None,
        previous=previous.value if previous else None,
        direction=indicator.good_direction,
    )
    if direction == "none":
        text = "No earlier value to compare"
    else:
        assert previous is not None  # a direction needs an earlier value
        since = f"{indicator.format(previous.value)} in {previous.period_name}"
        if direction == "level":
            text = f"No change from {since}"
        else:
            verdict = "better" if better else "worse"
            text = f"{'Up' if direction == 'up' else 'Down'} from {since}: {verdict}"
    return {"direction": direction, "better": better, "arrow": ARROWS[direction], "text": text}


def _tolerance_display(indicator: Indicator) -> str:
    if indicator.unit == Unit.PERCENTAGE:
        number = f"{indicator.amber_tolerance.normalize():f}"
        return f"{number} percentage point{'' if indicator.amber_tolerance == 1 else 's'}"
    return indicator.format(indicator.amber_tolerance)


def indicator_data(
    indicator: Indicator, *, values: list[IndicatorValue] | None = None, on: dt.date | None = None
) -> dict:
    """One indicator as plain data. Pass `values` (period order, comparators selected) to
    avoid a query per indicator."""
    if values is None:
        values = list(indicator.values.up_to(on).select_related("comparator").in_period_order())
    own = [v for v in values if v.comparator_id is None]
    by_comparator: dict = defaultdict(list)
    for value in values:
        if value.comparator_id is not None:
            by_comparator[value.comparator].append(value)
    comparators = sorted(by_comparator, key=lambda c: (c.order, c.name))
    latest = own[-1] if own else None
    rag = indicator.rag_for_value(latest.value if latest else None)

    labels: dict[dt.date, str] = {}
    for value in own + [v for c in comparators for v in by_comparator[c]]:
        labels.setdefault(value.period_end, value.period_name)
    periods = sorted(labels)
    series: list[dict[str, Any]] = [
        {"name": own_series_name(), "is_own": True, "points": [_point(indicator, v) for v in own]}
    ]
    series += [
        {
            "name": c.name,
            "is_own": False,
            "points": [_point(indicator, v) for v in by_comparator[c]],
        }
        for c in comparators
    ]
    cells_by_series = [
        {point["period_end"]: point["display"] for point in s["points"]} for s in series
    ]
    target_display = indicator.format(indicator.target) if indicator.target is not None else ""
    return {
        "id": indicator.pk,
        "code": indicator.code,
        "name": indicator.name,
        "definition": indicator.definition,
        "url": indicator.get_absolute_url(),
        "unit": indicator.unit,
        "unit_label": indicator.get_unit_display(),
        "decimal_places": indicator.decimal_places,
        "good_direction": indicator.good_direction,
        "good_direction_label": Direction(indicator.good_direction).label,
        "frequency_label": indicator.get_frequency_display(),
        "owner": indicator.owner.display_name,
        "priorities": [str(p) for p in indicator.priorities.all()],
        "areas": [a.label for a in indicator.areas.all()],
        "target": float(indicator.target) if indicator.target is not None else None,
        "target_display": target_display or "No target",
        "amber_tolerance": float(indicator.amber_tolerance),
        "tolerance_display": _tolerance_display(indicator),
        "rag": rag,
        "rag_label": Rag(rag).label if rag else "Not rated",
        "latest": _point(indicator, latest) if latest else None,
        "previous": _point(indicator, own[-2]) if len(own) > 1 else None,
        "trend": _trend(indicator, own),
        "comparators": [
            {
                "name": c.name,
                **_point(indicator, by_comparator[c][-1]),
                "same_period": latest is not None
                and by_comparator[c][-1].period_end == latest.period_end,
            }
            for c in comparators
        ],
        "periods": [{"period_end": p.isoformat(), "period_label": labels[p]} for p in periods],
        "series": series,
        "table": {
            "columns": [s["name"] for s in series] + (["Target"] if target_display else []),
            "rows": [
                {
                    "period_end": p.isoformat(),
                    "period_label": labels[p],
                    "cells": [cells.get(p.isoformat(), "") for cells in cells_by_series]
                    + ([target_display] if target_display else []),
                }
                for p in periods
            ],
        },
    }


def scorecard_data(*, on: dt.date | None = None) -> list[dict]:
    """Every indicator, in scorecard order, as plain data. Five queries however many."""
    indicators = list(Indicator.objects.for_scorecard())
    grouped: dict[int, list[IndicatorValue]] = defaultdict(list)
    values = (
        IndicatorValue.objects.filter(indicator__in=indicators)
        .up_to(on)
        .select_related("comparator")
        .in_period_order()
    )
    for value in values:
        grouped[value.indicator_id].append(value)
    return [indicator_data(i, values=grouped[i.pk]) for i in indicators]


def scorecard_reds(*, on: dt.date | None = None) -> list[dict]:
    """The indicators rated red: what the dashboard shows."""
    return [item for item in scorecard_data(on=on) if item["rag"] == Rag.RED]


OLD_AFTER_DAYS = 365


def mark_old_values(item: dict, *, on: dt.date) -> None:
    """Flag an indicator item's latest value and comparators (`is_old`) when the period they
    are for ended more than a year before `on`: a board should not read a 2023 figure as
    this month's."""
    cutoff = (on - dt.timedelta(days=OLD_AFTER_DAYS)).isoformat()
    for point in [item["latest"], *item["comparators"]]:
        if point:
            point["is_old"] = point["period_end"] < cutoff
    item["latest_is_old"] = bool(item["latest"] and item["latest"]["is_old"])


def pack_section_context(*, on: dt.date | None = None) -> dict:
    """Everything templates/kpis/includes/pack_section.html needs, as plain data with each
    indicator's chart as an SVG string (the same picture as the indicator page)."""
    indicators = scorecard_data(on=on)
    for item in indicators:
        mark_old_values(item, on=on or timezone.localdate())
        item["chart_svg"] = str(charts.indicator_chart(item, id_prefix="pack-chart"))
    return {
        "on": on.isoformat() if on else None,
        "indicators": indicators,
        "reds": [item["name"] for item in indicators if item["rag"] == Rag.RED],
        "rag_rule": RAG_RULE,
    }
