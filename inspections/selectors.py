"""Reads that cross from inspections into the plan. Inspections sit below the plan
(docs/architecture.md), so they read it through the areas' reverse relations and the plan's
own QuerySet methods, never by importing it."""

from __future__ import annotations

from django.utils import timezone

from inspections.models import AreaCovered, AreaForImprovement


def golden_thread(area: AreaForImprovement) -> dict:
    """An area for improvement's story: the inspection that named it, the area it continues,
    every action against it with its latest update, the later visits that looked at it and
    what they found, and the later areas that carry it forward."""
    today = timezone.localdate()
    actions = area.actions.for_list().with_rag(on=today).with_recent_updates()
    ancestors: list[AreaForImprovement] = []
    earlier = area.continues
    while earlier is not None and len(ancestors) < 10:
        ancestors.append(earlier)
        earlier = (
            AreaForImprovement.objects.select_related("inspection", "continues__inspection")
            .filter(pk=earlier.continues_id)  # type: ignore[misc]  # None finds nothing: the walk ends
            .first()
        )
    return {
        "area": area,
        "actions": actions,
        "ancestors": ancestors,
        "continued_by": area.continued_by.select_related("inspection").order_by(
            "inspection__start_date"
        ),
        "revisits": AreaCovered.objects.filter(revisits=area)
        .select_related("inspection")
        .order_by("inspection__start_date"),
        "today": today,
    }
