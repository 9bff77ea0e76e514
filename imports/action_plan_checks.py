"""The plan's rules for imported rows: what importing each row would do, or why it cannot.

`action_import_check` is the same rules as an officer's update (actions/rules.py for the
rules the plan shares) applied to one row, without touching the database;
`action_import_checks` does every row with the existing actions fetched in bulk (optionally
locked); `action_import_upsert` checks under lock and has actions.services write the result.
The preview (imports/action_plan.py) and the import both call these, so what is previewed is
what is saved.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from actions import rules
from actions.models import Action, Evidence, Priority, Status
from actions.rules import as_date
from actions.services import ImportCheck, ImportResult, action_import_write


@dataclass(frozen=True)
class ImportedAction:
    """One spreadsheet row, resolved to model values. A field left as None is not set by the
    sheet (its column is not imported, or its cell is blank) and keeps its current value."""

    reference: str
    title: str | None = None
    description: str | None = None
    priority: Priority | None = None
    areas: frozenset[int] | None = None  # AreaForImprovement ids
    owner: User | None = None
    accountable: User | None = None
    start_date: dt.date | None = None
    baseline_due_date: dt.date | None = None
    due_date: dt.date | None = None
    status: str | None = None
    percent_complete: int | None = None
    completed_date: dt.date | None = None
    evidence: str | None = None
    # Why the due date moves: needed when it changes, as for an officer's change.
    due_date_reason: str | None = None
    # Fields whose cells could not be read: the importer reports those itself, so the rules
    # do not ask for them again.
    unreadable: frozenset[str] = frozenset()


# Fields an import can set, in the order people read them.
IMPORT_FIELDS = (
    "title",
    "description",
    "priority",
    "areas",
    "owner",
    "accountable",
    "start_date",
    "baseline_due_date",
    "due_date",
    "status",
    "percent_complete",
    "completed_date",
)
_NEW_ACTION_NEEDS = {
    "title": "a title",
    "priority": "a priority",
    "owner": "a lead officer",
    "accountable": "an accountable senior manager",
    "start_date": "a start date",
    "due_date": "a due date",
}


def action_import_check(
    *,
    row: ImportedAction,
    current: Action | None,
    current_area_ids: frozenset[int] = frozenset(),
    evidence_texts: frozenset[str] = frozenset(),
    has_evidence: bool = False,
    on: dt.date,
) -> ImportCheck:
    """The plan's rules for one imported row, without touching the database.

    The same rules as an officer's update (action_record_progress): the baseline due date
    never changes; complete needs evidence (given in the row, or already recorded), gets a
    completion date and is 100% complete; only a complete action has a completion date; due
    and baseline dates are not before the start; percent complete is 0 to 100. The preview
    and action_import_upsert both call this, so what is previewed is what is saved.
    """
    problems: list[str] = []
    given = {name: getattr(row, name) for name in IMPORT_FIELDS}
    given = {name: value for name, value in given.items() if value is not None}
    for name in ("title", "description"):
        if name in given:
            given[name] = _plain_text(given[name])
    evidence = _plain_text(row.evidence or "")

    if current is None:
        before: dict[str, Any] = dict.fromkeys(IMPORT_FIELDS)
        missing = [
            need
            for name, need in _NEW_ACTION_NEEDS.items()
            if name not in given and name not in row.unreadable
        ]
        if missing:
            problems.append(f"A new action needs {_and_list(missing)}.")
        values: dict[str, Any] = {
            "description": "",
            "areas": frozenset(),
            "status": Status.NOT_STARTED,
            "percent_complete": 0,
            "completed_date": None,
        } | {name: _pk(name, value) for name, value in given.items()}
        values.setdefault("due_date", values.get("baseline_due_date"))
        values.setdefault("baseline_due_date", values.get("due_date"))
        was_complete = False
    else:
        before = {
            name: getattr(current, f"{name}_id" if name in _FOREIGN_KEYS else name)
            for name in IMPORT_FIELDS
            if name != "areas"
        }
        before["title"] = _plain_text(current.title)
        before["description"] = _plain_text(current.description)
        before["areas"] = frozenset(current_area_ids)
        values = dict(before)
        for name, value in given.items():
            values[name] = _pk(name, value)
        baseline = given.get("baseline_due_date")
        if baseline is not None and baseline != current.baseline_due_date:
            problems.append(
                "The baseline due date never changes: it is "
                f"{as_date(current.baseline_due_date)}. Put that date back, or leave the cell "
                "blank. Change the due date instead."
            )
            values["baseline_due_date"] = current.baseline_due_date
        was_complete = current.status == Status.COMPLETE

    status = values.get("status")
    if status is not None and status not in Status.values:
        problems.append("Choose a status: " + ", ".join(Status.labels) + ".")
    if problem := rules.percent_complete_problem(values.get("percent_complete")):
        problems.append(problem)

    if status == Status.COMPLETE:
        if row.percent_complete is not None and row.percent_complete != 100:
            problems.append("A complete action is 100% complete.")
        if not was_complete:
            values["completed_date"] = row.completed_date or on
            values["percent_complete"] = 100
            if problem := rules.completion_evidence_problem(
                becomes_complete=True,
                has_evidence=bool(evidence) or has_evidence,
                how=" (an Evidence column)",
            ):
                problems.append(problem)
        if values["completed_date"] and values["completed_date"] > on:
            problems.append("The completion date cannot be in the future.")
    else:
        if row.completed_date is not None:
            problems.append("Only a complete action has a completion date: clear that cell.")
        values["completed_date"] = None

    start, due, baseline = (
        values.get("start_date"),
        values.get("due_date"),
        values.get("baseline_due_date"),
    )
    if problem := rules.due_date_problem(start_date=start, due_date=due):
        problems.append(problem)
    if start and baseline and baseline < start and not (baseline == due and due < start):
        problems.append(
            f"The baseline due date, {as_date(baseline)}, cannot be before the start date, "
            f"{as_date(start)}."
        )
    title = values.get("title") or ""
    if len(title) > 250:
        problems.append(f"The title is {len(title)} characters long: the most is 250.")
    if len(row.reference) > 20:
        problems.append("A reference is at most 20 characters.")

    changes: dict[str, tuple[Any, Any]] = {
        name: (before.get(name), values.get(name))
        for name in IMPORT_FIELDS
        if values.get(name) != before.get(name) or current is None
    }
    reason = _plain_text(row.due_date_reason or "")
    moves_due_date = current is not None and "due_date" in changes
    if moves_due_date and not reason and "due_date_reason" not in row.unreadable:
        old, new = changes["due_date"]
        problems.append(
            f"The due date moves from {as_date(old)} to {as_date(new)}: give the reason in "
            "a “Reason for due-date change” column. The board sees it."
        )
    new_evidence = evidence if evidence and evidence not in evidence_texts else ""
    return ImportCheck(
        reference=row.reference,
        current=current,
        values=values,
        changes=changes,
        problems=problems,
        new_evidence=new_evidence,
        due_date_reason=reason if moves_due_date else "",
    )


def _plain_text(text: str) -> str:
    """Text as compared and stored by an import: one kind of line break, no outer spaces."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


_FOREIGN_KEYS = {"priority", "owner", "accountable"}


def _pk(name: str, value):
    return value.pk if name in _FOREIGN_KEYS else value


def _and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def action_import_context(
    references: list[str], *, lock: bool = False
) -> tuple[dict[str, Action], dict[int, frozenset[int]], dict[int, frozenset[str]], set[int]]:
    """Everything the import rules need about the existing actions with these references, in
    four queries however many rows: actions by reference, their area ids, their evidence
    texts, and which have any evidence."""
    queryset = Action.objects.filter(reference__in=references)
    if lock:
        queryset = queryset.select_for_update()
    actions = {action.reference: action for action in queryset}
    ids = [action.pk for action in actions.values()]
    areas: dict[int, set[int]] = {pk: set() for pk in ids}
    for action_id, area_id in Action.areas.through.objects.filter(action_id__in=ids).values_list(
        "action_id", "areaforimprovement_id"
    ):
        areas[action_id].add(area_id)
    texts: dict[int, set[str]] = {pk: set() for pk in ids}
    with_evidence: set[int] = set()
    for action_id, note, url in Evidence.objects.filter(action_id__in=ids).values_list(
        "action_id", "note", "url"
    ):
        with_evidence.add(action_id)
        texts[action_id].update(_plain_text(t) for t in (note, url) if t.strip())
    return (
        actions,
        {pk: frozenset(v) for pk, v in areas.items()},
        {pk: frozenset(v) for pk, v in texts.items()},
        with_evidence,
    )


def action_import_checks(
    rows: list[ImportedAction], *, on: dt.date, lock: bool = False
) -> list[ImportCheck]:
    """action_import_check for every row, with the existing actions fetched in bulk."""
    actions, areas, texts, with_evidence = action_import_context(
        [row.reference for row in rows], lock=lock
    )
    checks = []
    for row in rows:
        current = actions.get(row.reference)
        pk = current.pk if current else 0  # 0: no action yet, so no areas or evidence
        checks.append(
            action_import_check(
                row=row,
                current=current,
                current_area_ids=areas.get(pk, frozenset()),
                evidence_texts=texts.get(pk, frozenset()),
                has_evidence=pk in with_evidence,
                on=on,
            )
        )
    return checks


@transaction.atomic
def action_import_upsert(
    *, user, rows: list[ImportedAction], source: str, on: dt.date | None = None
) -> ImportResult:
    """Create or update actions from imported rows, all or nothing, matched on reference.

    The rows are checked (action_import_check) with the existing actions locked, and written by
    actions.services.action_import_write, which refuses the lot, writing nothing, if any row
    breaks a rule (ValidationError listing every row's problems) or the user is not an
    improvement lead (PermissionDenied).
    """
    today = on or timezone.localdate()
    checks = action_import_checks(rows, on=today, lock=True)
    return action_import_write(user=user, checks=checks, source=source, on=today)
