"""Plain-data reads of the risk register for the heat map, the dashboard and the board pack.

Everything returns JSON-serialisable dicts and lists (dates as ISO strings).

    heat_map_data(matrix=None, risks=None)  -> the grid, current and target counts
    risk_items(risks, on)                   -> [risk item] for any queryset of risks
    register_data(on=None)                  -> open risks, worst first
    risks_above_appetite(on=None)           -> open risks worse than their appetite
    pack_section_context(on=None)           -> {"heat_map", "heat_map_svg",
                                                "target_heat_map_svg", "risks",
                                                "above_appetite", "review_overdue", "on"}

`on` is the date reviews are judged overdue against (default today). A risk item:

    {"id", "reference", "title", "url", "owner", "rating", "colour", "colour_label",
     "target_rating", "target_colour", "target_colour_label", "appetite", "appetite_label",
     "above_appetite": bool, "review_date": "2026-01-31", "review_overdue": bool,
     "status", "actions": [{"reference", "title", "url"}]}

The heat map: rows are likelihood, most likely first; columns are impact, least severe
first, so the worst cell is top right whatever the council's codes:

    {"matrix": {"name", "rating_format"}, "likelihoods": [level], "impacts": [level],
     "rows": [{"likelihood": level, "cells": [cell]}], "current_total", "target_total"}
    level = {"id", "code", "label"}
    cell = {"likelihood", "impact", "rating", "colour", "colour_label",
            "current": [{"reference", "title", "url"}], "target": [...],
            "current_count", "target_count"}
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import dateformat, timezone

from risks import charts
from risks.models import Colour, Risk, RiskMatrix


def _colour_label(colour: str | None) -> str:
    return Colour(colour).label if colour else "No colour set"


def _level(level) -> dict:
    return {"id": level.pk, "code": level.code, "label": level.label}


def risk_items(risks: QuerySet | list[Risk], *, on: dt.date | None = None) -> list[dict]:
    """Risks as plain data. Pass a queryset from Risk.objects.for_register() (with actions
    prefetched) to keep it to three queries."""
    on = on or timezone.localdate()
    items = []
    for risk in risks:
        colour, target_colour = risk.colour, risk.target_colour_value
        items.append(
            {
                "id": risk.pk,
                "reference": risk.reference,
                "title": risk.title,
                "url": risk.get_absolute_url(),
                "owner": risk.owner.display_name,
                "rating": risk.rating,
                "colour": colour,
                "colour_label": _colour_label(colour),
                "target_rating": risk.target_rating,
                "target_colour": target_colour,
                "target_colour_label": _colour_label(target_colour),
                "appetite": risk.appetite,
                "appetite_label": Colour(risk.appetite).label,
                "above_appetite": risk.is_above_appetite,
                "review_date": risk.review_date.isoformat(),
                "review_date_display": dateformat.format(risk.review_date, "j F Y"),
                "review_overdue": risk.is_review_overdue(on),
                "status": risk.status,
                "actions": [
                    {"reference": a.reference, "title": a.title, "url": a.get_absolute_url()}
                    for a in risk.actions.all()  # type: ignore[misc]  # stubs cannot resolve it
                ],
            }
        )
    return items


def _register_queryset():
    return Risk.objects.open().for_register().prefetch_related("actions")


def register_data(*, on: dt.date | None = None) -> list[dict]:
    """Open risks, worst first."""
    return risk_items(_register_queryset(), on=on)


def risks_above_appetite(*, on: dt.date | None = None) -> list[dict]:
    """Open risks whose current colour is worse than their appetite: for the dashboard."""
    return risk_items(_register_queryset().above_appetite(), on=on)


def heat_map_data(
    *, matrix: RiskMatrix | None = None, risks: QuerySet | list[Risk] | None = None
) -> dict:
    """Counts of risks in each cell of the matrix, for current and target ratings.
    Defaults: the matrix in use and its open risks."""
    matrix = matrix or RiskMatrix.objects.current()
    if matrix is None:
        return {"matrix": None, "likelihoods": [], "impacts": [], "rows": [],
                "current_total": 0, "target_total": 0}  # fmt: skip
    if risks is None:
        risks = Risk.objects.open().filter(likelihood__matrix=matrix).order_by("reference")
    likelihoods = matrix.likelihood_scale
    impacts = list(reversed(matrix.impact_scale))
    current: dict[tuple[int, int], list[dict]] = {}
    target: dict[tuple[int, int], list[dict]] = {}
    for risk in risks:
        entry = {"reference": risk.reference, "title": risk.title, "url": risk.get_absolute_url()}
        current.setdefault((risk.likelihood_id, risk.impact_id), []).append(entry)
        target.setdefault((risk.target_likelihood_id, risk.target_impact_id), []).append(entry)
    rows = []
    for likelihood in likelihoods:
        cells = []
        for impact in impacts:
            key = (likelihood.pk, impact.pk)
            colour = matrix.colour_for(*key)
            cells.append(
                {
                    "likelihood": _level(likelihood),
                    "impact": _level(impact),
                    "rating": matrix.format_rating(likelihood, impact),
                    "colour": colour,
                    "colour_label": _colour_label(colour),
                    "current": current.get(key, []),
                    "target": target.get(key, []),
                    "current_count": len(current.get(key, [])),
                    "target_count": len(target.get(key, [])),
                }
            )
        rows.append({"likelihood": _level(likelihood), "cells": cells})
    return {
        "matrix": {
            "name": matrix.name,
            "rating_format": matrix.get_rating_format_display(),
        },
        "likelihoods": [_level(level) for level in likelihoods],
        "impacts": [_level(level) for level in impacts],
        "rows": rows,
        "current_total": sum(len(v) for v in current.values()),
        "target_total": sum(len(v) for v in target.values()),
    }


def pack_section_context(*, on: dt.date | None = None) -> dict:
    """Everything templates/risks/includes/pack_section.html needs, as plain data, with
    the heat maps as SVG strings (colours are SVG attributes: no stylesheet needed)."""
    on = on or timezone.localdate()
    heat_map = heat_map_data()
    risks = register_data(on=on)
    return {
        "on": on.isoformat(),
        "heat_map": heat_map,
        "heat_map_svg": str(charts.heat_map_svg(heat_map, which="current")),
        "target_heat_map_svg": str(charts.heat_map_svg(heat_map, which="target")),
        "risks": risks,
        "above_appetite": [r for r in risks if r["above_appetite"]],
        "review_overdue": [r for r in risks if r["review_overdue"]],
    }
