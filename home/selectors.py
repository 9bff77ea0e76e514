"""The dashboard reads across inspections, the plan, indicators, risks and the board: one
selector for one screen."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Count, Exists, OuterRef

from actions.models import (
    Action,
    Priority,
    Rag,
    Status,
    is_completed_between,
    is_due_between,
    is_overdue,
)
from board.selectors import board_dashboard
from inspections.models import AreaForImprovement, Inspection, Judgement, JudgementArea
from kpis.selectors import scorecard_reds
from risks.selectors import risks_above_appetite


def judgement_history() -> dict:
    """Every graded inspection as a column, every canonical area as a row."""
    inspections = list(Inspection.objects.graded().order_by("start_date"))
    grades = {
        (j.inspection_id, j.area_id): j
        for j in Judgement.objects.filter(inspection__in=inspections)
    }
    rows = []
    for area in JudgementArea.objects.all():
        cells = [grades.get((i.pk, area.pk)) for i in inspections]
        if any(cells):
            rows.append({"area": area, "cells": cells})
    return {"inspections": inspections, "rows": rows}


def dashboard_context(*, today: dt.date) -> dict:
    soon = today + dt.timedelta(days=30)
    recent = today - dt.timedelta(days=30)
    # Every count on the screen in one pass over the plan: grouped by priority, RAG and
    # status, with the dated lists' counts alongside.
    groups = (
        Action.objects.order_by()
        .with_rag(on=today)
        .values("priority", "current_rag", "status")
        .annotate(
            n=Count("pk"),
            overdue=Count("pk", filter=is_overdue(today)),
            due_soon=Count("pk", filter=is_due_between(today, soon)),
            completed=Count("pk", filter=is_completed_between(recent, today)),
        )
    )
    by_priority: Counter[tuple[int, str | None]] = Counter()
    rag_counts: Counter[str | None] = Counter()
    status_counts: Counter[str] = Counter()
    dated: Counter[str] = Counter()
    for row in groups:
        by_priority[(row["priority"], row["current_rag"])] += row["n"]
        rag_counts[row["current_rag"]] += row["n"]
        status_counts[row["status"]] += row["n"]
        for key in ("overdue", "due_soon", "completed"):
            dated[key] += row[key]
    per_priority = [
        {
            "priority": priority,
            "counts": [by_priority[(priority.pk, rag)] for rag in Rag.values],
        }
        for priority in Priority.objects.all()
    ]
    live = Action.objects.open().filter(areas=OuterRef("pk"))
    return {
        "today": today,
        "history": judgement_history(),
        "rags": [(rag, label, rag_counts[rag]) for rag, label in Rag.choices],
        "per_priority": per_priority,
        "statuses": [(s, label, status_counts[s]) for s, label in Status.choices],
        "overdue": _listing(
            Action.objects.overdue(on=today).order_by("due_date"), dated["overdue"]
        ),
        "due_soon": _listing(
            Action.objects.due_between(today, soon).order_by("due_date"), dated["due_soon"]
        ),
        "completed": _listing(
            Action.objects.completed_between(recent, today).order_by("-completed_date"),
            dated["completed"],
        ),
        "areas_without_action": AreaForImprovement.objects.current().exclude(Exists(live)),
        "inspections": Inspection.objects.newest_first().prefetch_related("judgements__area"),
        "scorecard_reds": scorecard_reds(on=today),
        "risks_above_appetite": risks_above_appetite(on=today),
        "board": board_dashboard(),
    }


LISTING_SIZE = 10


def _listing(actions, count: int) -> dict:
    """The first few actions of a dashboard list, and how many there are in all."""
    return {"actions": list(actions.for_list()[:LISTING_SIZE]), "count": count}
