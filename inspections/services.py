"""Writes for inspections: a lead records one by hand, corrects it and everything in it
(judgements, areas for improvement, strengths, areas covered), or removes a mistaken one.

Importing from an Ofsted document is `imports.services.inspection_import`. Every change here
is audited by pghistory (the request's context says who made it).

The four "rows" services take the whole list for one inspection as the lead left it: each
row a dict with `id` (None for a new row), `delete` and the fields. Rows are checked
together, then saved; on a problem nothing is saved and a ValidationError names the row
("Area 2: ...")."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Model

from accounts import permissions
from inspections.models import (
    AreaCovered,
    AreaForImprovement,
    Grade,
    Inspection,
    Judgement,
    JudgementArea,
    LocalAuthority,
    Strength,
)

logger = logging.getLogger(__name__)

INSPECTION_FIELDS = (
    "kind",
    "title",
    "start_date",
    "end_date",
    "published_date",
    "inspectors",
    "framework",
    "summary",
    "source_url",
)


def _require_lead(user) -> None:
    if not permissions.can_manage_inspections(user):
        raise PermissionDenied("Only improvement leads can change inspections.")


def inspection_for_edit(*, user, pk: int) -> Inspection:
    """The inspection a lead is about to change (PermissionDenied for anyone else)."""
    _require_lead(user)
    return Inspection.objects.select_related("local_authority").get(pk=pk)


# --- The inspection itself -----------------------------------------------------------------


@transaction.atomic
def inspection_create(
    *,
    user,
    local_authority: LocalAuthority,
    kind: str,
    start_date: dt.date,
    end_date: dt.date,
    title: str = "",
    published_date: dt.date | None = None,
    inspectors: list[str] | None = None,
    framework: str = "",
    summary: str = "",
    source_url: str = "",
) -> Inspection:
    """A lead records an inspection or visit by hand (no document needed)."""
    _require_lead(user)
    inspection = Inspection(
        local_authority=local_authority,
        kind=kind,
        title=title.strip(),
        start_date=start_date,
        end_date=end_date,
        published_date=published_date,
        inspectors=_clean_names(inspectors or []),
        framework=framework.strip(),
        summary=summary.strip(),
        source_url=source_url.strip(),
    )
    inspection.full_clean(exclude=["source_document"])
    inspection.save()
    return inspection


@transaction.atomic
def inspection_update(*, user, inspection: Inspection, **changes) -> Inspection:
    """Correct an inspection's own fields (`INSPECTION_FIELDS` and `local_authority`)."""
    _require_lead(user)
    unknown = set(changes) - set(INSPECTION_FIELDS) - {"local_authority"}
    if unknown:
        raise TypeError(f"inspection_update does not change {sorted(unknown)}")
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    for name, value in changes.items():
        if name == "inspectors":
            value = _clean_names(value or [])
        elif isinstance(value, str):
            value = value.strip()
        setattr(inspection, name, value)
    if (
        not inspection.is_graded
        and inspection.judgements.exists()
        and changes.get("kind") not in (None, *Inspection.Kind.graded_kinds())
    ):
        raise ValidationError(
            {
                "kind": [
                    "Only full inspections are graded. Remove this inspection's judgements "
                    "before making it a visit."
                ]
            }
        )
    inspection.full_clean(exclude=["source_document"])
    inspection.save()
    return inspection


def inspection_delete_blockers(inspection: Inspection) -> list[str]:
    """Why an inspection cannot be removed: what in the plan or the board's record hangs on
    its areas for improvement. Empty when it can go. (The plan and the board sit above
    inspections, so their rows are counted through the areas' reverse relations.)"""
    counts = AreaForImprovement.objects.filter(inspection=inspection).aggregate(
        actions=Count("actions", distinct=True),
        decisions=Count("board_decisions", distinct=True),
        challenges=Count("challenges", distinct=True),
    )
    blockers = []
    if actions := counts["actions"]:
        blockers.append(_count(actions, "action in the plan answers", "actions in the plan answer"))
    if decisions := counts["decisions"]:
        blockers.append(_count(decisions, "board decision is", "board decisions are") + " about")
    if challenges := counts["challenges"]:
        blockers.append(_count(challenges, "challenge is", "challenges are") + " about")
    return blockers


@transaction.atomic
def inspection_delete(*, user, inspection: Inspection) -> None:
    """Remove a mistaken inspection (an import of the wrong document, say) with everything
    under it: judgements, areas for improvement, strengths, areas covered and the stored
    document. Refused once anything in the plan or the board's record hangs on it."""
    _require_lead(user)
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    blockers = inspection_delete_blockers(inspection)
    if blockers:
        raise ValidationError(
            "This inspection cannot be removed: "
            + "; ".join(f"{b} its areas for improvement" for b in blockers)
            + ". Move or cancel those first."
        )
    document = inspection.source_document.name
    storage = inspection.source_document.storage
    pk = inspection.pk
    inspection.delete()
    if document:
        transaction.on_commit(lambda: storage.delete(document))
    transaction.on_commit(lambda: logger.info("Inspection %s removed", pk))


# --- What is in it -------------------------------------------------------------------------


@transaction.atomic
def judgements_save(*, user, inspection: Inspection, rows: list[dict]) -> None:
    """Rows: `id`, `delete`, `area` (JudgementArea pk), `wording`, `grade` (1–4)."""
    _require_lead(user)
    inspection = _locked(inspection)
    keep = _kept(rows)
    if keep and not inspection.is_graded:
        raise ValidationError("Only full inspections are graded: a visit has no judgements.")
    existing = _existing(Judgement, inspection, rows, noun="Judgement")
    areas = JudgementArea.objects.in_bulk([r["area"] for _, r in keep if r.get("area")])
    problems = []
    seen: dict[int, int] = {}
    for number, row in keep:
        area = areas.get(row.get("area"))
        if area is None:
            problems.append(f"Judgement {number}: choose the judgement area.")
            continue
        if area.pk in seen:
            problems.append(
                f"Judgement {number}: judgement {seen[area.pk]} is already for {area.name}."
            )
        seen[area.pk] = number
        if row.get("grade") not in Grade.values:
            problems.append(f"Judgement {number}: choose a grade.")
    _raise(problems)
    _delete_marked(existing, rows)
    for _, row in keep:
        judgement = existing.get(row.get("id")) or Judgement(inspection=inspection)
        judgement.area = areas[row["area"]]
        judgement.wording = (row.get("wording") or "").strip() or judgement.area.name
        judgement.grade = row["grade"]
        judgement.save()


@transaction.atomic
def areas_for_improvement_save(*, user, inspection: Inspection, rows: list[dict]) -> None:
    """Rows: `id`, `delete`, `text`, `short_title`, `order`, `is_priority_action`,
    `continues` (the pk of an area from an earlier inspection, or None). Orders are
    renumbered 1, 2, 3… in the order given (ties keep the order of the rows)."""
    _require_lead(user)
    inspection = _locked(inspection)
    existing = _existing(AreaForImprovement, inspection, rows, noun="Area")
    problems = []
    for row in rows:
        if row.get("delete") and row.get("id") in existing:
            problems += _area_delete_blockers(existing[row["id"]])
    keep = _kept(rows)
    earlier: dict[int | None, AreaForImprovement] = {
        a.pk: a
        for a in AreaForImprovement.objects.filter(
            pk__in=[r["continues"] for _, r in keep if r.get("continues")]
        ).select_related("inspection")
    }
    for number, row in keep:
        if not (row.get("text") or "").strip():
            problems.append(f"Area {number}: enter what needs to improve.")
        if len((row.get("short_title") or "").strip()) > 120:
            problems.append(f"Area {number}: the short title must be 120 characters or fewer.")
        if row.get("continues"):
            before = earlier.get(row["continues"])
            if before is None or before.inspection.start_date >= inspection.start_date:
                problems.append(
                    f"Area {number}: it can only continue an area from an earlier inspection."
                )
    _raise(problems)
    _delete_marked(existing, rows)
    saved = []
    for _, row in _in_order(keep):
        area = existing.get(row.get("id")) or AreaForImprovement(inspection=inspection)
        area.text = row["text"].strip()
        area.short_title = (row.get("short_title") or "").strip()
        area.is_priority_action = bool(row.get("is_priority_action"))
        area.continues = earlier.get(row.get("continues"))
        saved.append(area)
    _save_in_order(AreaForImprovement, inspection, saved)


@transaction.atomic
def strengths_save(*, user, inspection: Inspection, rows: list[dict]) -> None:
    """Rows: `id`, `delete`, `text`, `order`."""
    _require_lead(user)
    inspection = _locked(inspection)
    existing = _existing(Strength, inspection, rows, noun="Strength")
    keep = _kept(rows)
    _raise(
        [
            f"Strength {number}: enter the strength."
            for number, row in keep
            if not (row.get("text") or "").strip()
        ]
    )
    _delete_marked(existing, rows)
    saved = []
    for _, row in _in_order(keep):
        strength = existing.get(row.get("id")) or Strength(inspection=inspection)
        strength.text = row["text"].strip()
        saved.append(strength)
    _save_in_order(Strength, inspection, saved)


@transaction.atomic
def areas_covered_save(*, user, inspection: Inspection, rows: list[dict]) -> None:
    """Rows: `id`, `delete`, `text`, `order`, `finding`, `revisits` (the pk of an area for
    improvement from an earlier inspection, or None)."""
    _require_lead(user)
    inspection = _locked(inspection)
    existing = _existing(AreaCovered, inspection, rows, noun="Area covered")
    keep = _kept(rows)
    earlier: dict[int | None, AreaForImprovement] = {
        a.pk: a
        for a in AreaForImprovement.objects.filter(
            pk__in=[r["revisits"] for _, r in keep if r.get("revisits")]
        ).select_related("inspection")
    }
    problems = []
    for number, row in keep:
        if not (row.get("text") or "").strip():
            problems.append(f"Area covered {number}: enter the area the visit looked at.")
        if row.get("revisits"):
            before = earlier.get(row["revisits"])
            if before is None or before.inspection.start_date >= inspection.start_date:
                problems.append(
                    f"Area covered {number}: it can only revisit an area for improvement "
                    "from an earlier inspection."
                )
    _raise(problems)
    _delete_marked(existing, rows)
    saved = []
    for _, row in _in_order(keep):
        covered = existing.get(row.get("id")) or AreaCovered(inspection=inspection)
        covered.text = row["text"].strip()
        covered.finding = (row.get("finding") or "").strip()
        covered.revisits = earlier.get(row.get("revisits"))
        saved.append(covered)
    _save_in_order(AreaCovered, inspection, saved)


# --- Helpers ---------------------------------------------------------------------------------


def _clean_names(names: Iterable[str]) -> list[str]:
    return [" ".join(name.split()) for name in names if name and name.strip()]


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _locked(inspection: Inspection) -> Inspection:
    """The inspection, locked so two leads saving the same list cannot interleave."""
    return Inspection.objects.select_for_update().get(pk=inspection.pk)


def _kept(rows: list[dict]) -> list[tuple[int, dict]]:
    """The rows not marked for removal, numbered as the lead sees them (1, 2, 3…)."""
    return [(n, row) for n, row in enumerate(rows, start=1) if not row.get("delete")]


def _existing(model: type[Model], inspection: Inspection, rows: list[dict], *, noun: str):
    """The inspection's saved rows that `rows` name, by pk. A row naming one that is not
    this inspection's (or no longer exists) means the page is out of date."""
    ids = {row["id"] for row in rows if row.get("id")}
    found = model._default_manager.filter(inspection=inspection).in_bulk()
    if set(found) != ids:
        raise ValidationError(
            f"{noun}s changed while you were editing them. Reload the page and try again."
        )
    return found


def _area_delete_blockers(area: AreaForImprovement) -> list[str]:
    """Through the area's reverse relations: the plan and the board sit above inspections."""
    label = area.short_title or f"Area {area.order}"
    problems = []
    if area.actions.exists():
        problems.append(f"{label}: actions in the plan answer it, so it cannot be removed.")
    if area.board_decisions.exists() or area.challenges.exists():
        problems.append(f"{label}: the board's record refers to it, so it cannot be removed.")
    return problems


def _delete_marked(existing: dict, rows: list[dict]) -> None:
    for row in rows:
        if row.get("delete") and row.get("id") in existing:
            existing[row["id"]].delete()


def _in_order(keep: list[tuple[int, dict]]) -> list[tuple[int, dict]]:
    """By the order the lead typed (rows without one go last), ties by position."""
    return sorted(keep, key=lambda nr: (nr[1].get("order") or 10_000, nr[0]))


def _save_in_order(model: type[Model], inspection: Inspection, objects: list[Model]) -> None:
    """Save objects numbered 1, 2, 3…. The (inspection, order) unique constraints are
    checked at commit (deferred), so two rows can swap places."""
    for order, obj in enumerate(objects, start=1):
        obj.order = order  # type: ignore[attr-defined]  # each of these models has an order
        obj.save()


def _raise(problems: list[str]) -> None:
    if problems:
        raise ValidationError(problems)
