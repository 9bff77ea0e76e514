"""The dashboard reads across inspections and the plan: one selector for one screen."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Count, Exists, OuterRef

from actions.models import Action, Priority, Rag, Status
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


def current_areas():
    """Areas for improvement the plan must answer now: those named by the latest graded
    inspection and by any visit since."""
    latest = Inspection.objects.graded().newest_first().first()
    areas = AreaForImprovement.objects.with_inspection()
    if latest is not None:
        areas = areas.filter(inspection__start_date__gte=latest.start_date)
    return areas


def dashboard_context(*, today: dt.date) -> dict:
    actions = Action.objects.order_by().with_rag(on=today)
    by_priority = {
        (row["priority"], row["current_rag"]): row["n"]
        for row in actions.values("priority", "current_rag").annotate(n=Count("pk"))
    }
    rag_counts = Counter()
    for (_, rag), n in by_priority.items():
        rag_counts[rag] += n
    per_priority = []
    for priority in Priority.objects.all():
        per_priority.append(
            {
                "priority": priority,
                "counts": [by_priority.get((priority.pk, rag), 0) for rag in Rag.values],
            }
        )
    status_counts = {
        row["status"]: row["n"]
        for row in Action.objects.order_by().values("status").annotate(n=Count("pk"))
    }
    live = Action.objects.open().filter(areas=OuterRef("pk"))
    soon = today + dt.timedelta(days=30)
    return {
        "today": today,
        "history": judgement_history(),
        "rags": [(rag, label, rag_counts.get(rag, 0)) for rag, label in Rag.choices],
        "per_priority": per_priority,
        "statuses": [(s, label, status_counts.get(s, 0)) for s, label in Status.choices],
        "overdue": _listing(Action.objects.overdue(on=today).order_by("due_date")),
        "due_soon": _listing(Action.objects.due_between(today, soon).order_by("due_date")),
        "completed": _listing(
            Action.objects.completed_between(today - dt.timedelta(days=30), today).order_by(
                "-completed_date"
            )
        ),
        "areas_without_action": current_areas().exclude(Exists(live)),
        "inspections": Inspection.objects.newest_first().prefetch_related("judgements__area"),
        "scorecard_reds": scorecard_reds(on=today),
        "risks_above_appetite": risks_above_appetite(on=today),
    }


LISTING_SIZE = 10


def _listing(actions) -> dict:
    """The first few actions of a dashboard list, and how many there are in all."""
    return {"actions": list(actions.for_list()[:LISTING_SIZE]), "count": actions.count()}
