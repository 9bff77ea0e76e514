"""Writes to the improvement plan. Every change to an action goes through here."""

from __future__ import annotations

import datetime as dt
import unicodedata
import uuid
from collections.abc import Set
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts import permissions
from accounts.models import User
from actions import rules
from actions.models import (
    Action,
    DueDateChange,
    Evidence,
    Priority,
    ProgressUpdate,
    Rag,
    Status,
)
from core import uploads
from core.storage import atomic_with_files, field_file_save
from inspections.models import AreaForImprovement


class ActionChangedError(Exception):
    """Someone else saved the action after the editor loaded it. `updates` are the
    progress updates saved since, newest first, so the editor can see what changed."""

    def __init__(self, action: Action, updates: list[ProgressUpdate]):
        self.action = action
        self.updates = updates
        super().__init__(
            "Someone else updated this action while you were editing it. "
            "Your changes have not been saved."
        )


@dataclass(frozen=True)
class Change:
    """What an editor asks to change. Fields left as None are not changed."""

    status: str | None = None
    percent_complete: int | None = None
    rag_override: str | None = None  # "" clears the override
    rag_override_reason: str | None = None
    due_date: dt.date | None = None
    due_date_reason: str = ""
    note: str = ""
    evidence_note: str = ""
    evidence_url: str = ""


def action_for_view(*, user, pk: int) -> Action:
    if not permissions.can_view(user):
        raise PermissionDenied
    return Action.objects.for_list().get(pk=pk)


def action_for_edit(*, user, pk: int, lock: bool = False) -> Action:
    """Fetch an action the user may update, or raise PermissionDenied (404 if missing)."""
    queryset = Action.objects.for_list()
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    action = get_object_or_404(queryset, pk=pk)
    if not permissions.can_edit_action(user, action):
        raise PermissionDenied("You can only update actions you own or are accountable for.")
    return action


@transaction.atomic
def action_record_progress(
    *,
    user,
    pk: int,
    expected_version: int,
    change: Change,
    on: dt.date | None = None,
) -> Action:
    """Apply an officer's update to an action and log it.

    Rules: a due-date change needs a reason and is kept; a RAG override needs a reason;
    complete needs evidence (a note or a link given now, or any evidence already recorded,
    documents included); every save writes one progress update with the before and after,
    except a due-date change on its own (kept in "Due date changes" with its reason).
    Refuses with ActionChangedError if someone else saved the action since `expected_version`.
    """
    today = on or timezone.localdate()
    action = action_for_edit(user=user, pk=pk, lock=True)
    if action.version != expected_version:
        since = action.updates.filter(action_version__gt=expected_version).select_related("author")
        raise ActionChangedError(action, list(since))

    errors: dict[str, list[str]] = {}
    before: dict[str, Any] = {
        "status": action.status,
        "rag": action.rag_on(today) or "",
        "percent": action.percent_complete,
        "override": (action.rag_override, action.rag_override_reason),
    }

    if change.status is not None and change.status != action.status:
        if change.status not in Status.values:
            errors.setdefault("status", []).append("Choose a status from the list.")
        action.status = change.status

    if change.percent_complete is not None:
        if problem := rules.percent_complete_problem(change.percent_complete):
            errors.setdefault("percent_complete", []).append(problem)
        action.percent_complete = change.percent_complete

    if change.rag_override is not None:
        reason = (change.rag_override_reason or "").strip()
        if change.rag_override and change.rag_override not in (Rag.RED, Rag.AMBER, Rag.GREEN):
            errors.setdefault("rag_override", []).append("Choose red, amber or green.")
        if change.rag_override and not reason:
            errors.setdefault("rag_override_reason", []).append(
                "Give a reason for overriding the RAG rating."
            )
        action.rag_override = change.rag_override
        action.rag_override_reason = reason if change.rag_override else ""

    due_change = None
    if change.due_date is not None and change.due_date != action.due_date:
        reason = change.due_date_reason.strip()
        if not reason:
            errors.setdefault("due_date_reason", []).append(
                "Give a reason for changing the due date."
            )
        if problem := rules.due_date_problem(
            start_date=action.start_date, due_date=change.due_date
        ):
            errors.setdefault("due_date", []).append(problem)
        due_change = DueDateChange(
            action=action,
            old_date=action.due_date,
            new_date=change.due_date,
            reason=reason,
            changed_by=user,
        )
        action.due_date = change.due_date

    evidence = None
    if change.evidence_note.strip() or change.evidence_url.strip():
        evidence = Evidence(
            action=action,
            note=change.evidence_note.strip(),
            url=change.evidence_url.strip(),
            added_by=user,
        )

    if action.status == Status.COMPLETE:
        if before["status"] != Status.COMPLETE:
            action.completed_date = today
            action.percent_complete = 100
            if problem := rules.completion_evidence_problem(
                becomes_complete=True,
                has_evidence=evidence is not None or action.evidence.exists(),
                how=": a note or a link (or add a document as evidence first)",
            ):
                errors.setdefault("evidence_note", []).append(problem)
    else:
        action.completed_date = None

    if errors:
        raise ValidationError(errors)

    note = change.note.strip()
    progress = (
        action.status != before["status"]
        or action.percent_complete != before["percent"]
        or action.rag_on(today) != (before["rag"] or None)
        or (action.rag_override, action.rag_override_reason) != before["override"]
        or bool(note)
        or evidence is not None
    )
    if not (progress or due_change is not None):
        raise ValidationError({"note": ["Change something or add a progress note."]})

    action.version += 1
    action.save()
    if due_change is not None:
        # Kept with its reason; the reminders tick tells the owner and accountable manager.
        due_change.save()
    if evidence is not None:
        evidence.save()
    if not progress:
        # A new due date on its own is in "Due date changes", with its reason: a progress
        # update saying nothing would only add noise to the log.
        return action
    ProgressUpdate.objects.create(
        action=action,
        author=user,
        note=note,
        status_before=before["status"],
        status_after=action.status,
        rag_before=before["rag"],
        rag_after=action.rag_on(today) or "",
        percent_before=before["percent"],
        percent_after=action.percent_complete,
        action_version=action.version,
    )
    return action


# --- Documents as evidence ------------------------------------------------------------------

# What evidence may be, decided by content (see core.uploads).
EVIDENCE_KINDS = (
    uploads.PDF,
    uploads.DOCX,
    uploads.XLSX,
    uploads.PPTX,
    uploads.PNG,
    uploads.JPEG,
)


@atomic_with_files()
def evidence_add_document(
    *, user, action: Action, uploaded_file, description: str = ""
) -> Evidence:
    """Keep an uploaded document as evidence of this action.

    The kind is decided by the file's content (magic bytes, see core.uploads.check_upload),
    never by its name: a PDF, a Word, Excel or PowerPoint file (.docx, .xlsx, .pptx) or a PNG
    or JPEG image, not empty and at most settings.EVIDENCE_MAX_BYTES. The file is stored under
    a random name; the name it came with is kept, cleaned and ending in the suffix of the
    detected kind ("minutes.html" holding a PDF becomes "minutes.pdf"), to show and to
    download it as.
    Raises ValidationError (on `document`) and saves nothing if the file is refused.
    """
    if not permissions.can_edit_action(user, action):
        raise PermissionDenied(
            "You can only add evidence to actions you own or are accountable for."
        )
    try:
        kind = uploads.check_upload(
            uploaded_file, allowed=EVIDENCE_KINDS, max_bytes=settings.EVIDENCE_MAX_BYTES
        )
    except ValidationError as refused:
        raise ValidationError({"document": refused.messages}) from refused
    content_type, suffix, _name = uploads.CONTENT_TYPES[kind]
    evidence = Evidence(
        action=action,
        note=description.strip(),
        original_name=_clean_file_name(uploaded_file.name or "", suffix),
        content_type=content_type,
        size=uploaded_file.size,
        added_by=user,
    )
    uploaded_file.seek(0)
    field_file_save(evidence.file, f"{uuid.uuid4().hex}{suffix}", uploaded_file)
    evidence.save()
    return evidence


# Suffixes people use for each detected kind; any other is replaced by the kind's own.
_SUFFIX_ALIASES = {".jpg": {".jpg", ".jpeg"}}


def _clean_file_name(name: str, suffix: str) -> str:
    """The last part of an uploaded file's name, without control characters, at most 255
    characters, ending in `suffix` (the detected kind's): a name whose suffix says something
    else has it replaced, so what is downloaded opens as what it is. "document.pdf" (the
    right suffix for its content) if nothing is left."""
    name = PurePath(name.replace("\\", "/")).name
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = " ".join(name.split()).strip(". ")
    stem, dot, ext = name.rpartition(".")
    if dot and f".{ext.lower()}" in _SUFFIX_ALIASES.get(suffix, {suffix}):
        name, suffix = stem, f".{ext}"  # the right suffix, as the person wrote it
    elif dot and stem and " " not in ext:
        name = stem  # another kind's suffix: replaced
    name = name.rstrip(". ")
    if not name:
        return f"document{suffix}"
    return name[: 255 - len(suffix)] + suffix


# --- Writing an imported plan (imports/ reads and checks the rows) ---------------------------


_DB_FIELD = {"priority": "priority_id", "owner": "owner_id", "accountable": "accountable_id"}
# Changes that action_record_progress logs as a progress update (a due-date change on its
# own is kept, with its reason, in the action's due-date changes instead).
_PROGRESS_FIELDS = {"status", "percent_complete"}


@dataclass
class ImportCheck:
    """What importing one row would do, as the import's checks work it out (imports/): the
    action's values afterwards, what changes (field → (before, after); before is None for a
    new action), and the rules the row breaks. What action_import_write writes."""

    reference: str
    current: Action | None
    values: dict
    changes: dict
    problems: list[str]
    new_evidence: str = ""
    due_date_reason: str = ""

    @property
    def is_new(self) -> bool:
        return self.current is None

    @property
    def changes_anything(self) -> bool:
        return self.is_new or bool(self.changes) or bool(self.new_evidence)


@dataclass(frozen=True)
class ImportResult:
    created: list[str]
    updated: list[str]
    unchanged: list[str]


@transaction.atomic
def action_import_write(
    *, user, checks: list[ImportCheck], source: str, on: dt.date | None = None
) -> ImportResult:
    """Create or update actions as checked imported rows say, all or nothing, matched on
    reference. The rows are read and checked against the plan's rules by the import
    (`imports.action_plan_checks.action_import_upsert`, with the actions locked); a check with
    a problem, or a reference on two rows, refuses the lot with ValidationError.

    Each changed action's version goes up by one; a due-date change is kept with the reason the
    row gives; a change of status or percent complete writes a progress update with the before
    and after, as an officer's update does; new evidence is recorded.
    """
    if not permissions.can_manage_plan(user):
        raise PermissionDenied("Only improvement leads can import the plan.")
    today = on or timezone.localdate()
    references = [check.reference for check in checks]
    if len(set(references)) != len(references):
        raise ValidationError("The same reference appears on more than one row.")
    problems = [f"{c.reference}: {p}" for c in checks for p in c.problems]
    if problems:
        raise ValidationError(problems)

    now = timezone.now()
    note = f"Imported from {source}"
    created: list[Action] = []
    created_areas: list[tuple[Action, frozenset[int]]] = []
    updated: list[tuple[Action, list[str]]] = []
    area_changes: list[tuple[Action, frozenset[int]]] = []
    due_changes: list[DueDateChange] = []
    progress: list[ProgressUpdate] = []
    evidence: list[Evidence] = []
    unchanged: list[str] = []
    for check in checks:
        values = check.values
        if check.is_new:
            action = Action(
                reference=check.reference,
                title=values["title"],
                description=values["description"],
                priority_id=values["priority"],
                owner_id=values["owner"],
                accountable_id=values["accountable"],
                start_date=values["start_date"],
                baseline_due_date=values["baseline_due_date"],
                due_date=values["due_date"],
                status=values["status"],
                percent_complete=values["percent_complete"],
                completed_date=values["completed_date"],
            )
            created.append(action)
            created_areas.append((action, values["areas"]))
        elif not check.changes_anything:
            unchanged.append(check.reference)
            continue
        else:
            assert check.current is not None  # only a new action's check has no current one
            action = check.current
            rag_before = action.rag_on(today) or ""
            status_before, percent_before = action.status, action.percent_complete
            for name, (_old, new) in check.changes.items():
                if name == "areas":
                    area_changes.append((action, new))
                elif name in {"priority", "owner", "accountable"}:
                    setattr(action, f"{name}_id", new)
                else:
                    setattr(action, name, new)
            if "due_date" in check.changes:
                old, new = check.changes["due_date"]
                due_changes.append(
                    DueDateChange(
                        action=action,
                        old_date=old,
                        new_date=new,
                        reason=check.due_date_reason,
                        changed_by=user,
                        changed_at=now,
                    )
                )
            action.version += 1
            action.updated_at = now
            updated.append(
                (action, [_DB_FIELD.get(name, name) for name in check.changes if name != "areas"])
            )
            if _PROGRESS_FIELDS & check.changes.keys() or check.new_evidence:
                progress.append(
                    ProgressUpdate(
                        action=action,
                        author=user,
                        created_at=now,
                        note=note + ".",
                        status_before=status_before,
                        status_after=action.status,
                        rag_before=rag_before,
                        rag_after=action.rag_on(today) or "",
                        percent_before=percent_before,
                        percent_after=action.percent_complete,
                        action_version=action.version,
                    )
                )
        if check.new_evidence:
            text = check.new_evidence
            is_link = text.startswith(("http://", "https://")) and " " not in text
            evidence.append(
                Evidence(
                    action=action,
                    note="" if is_link else text,
                    url=text if is_link else "",
                    added_by=user,
                    added_at=now,
                )
            )

    Action.objects.bulk_create(created)
    for action, fields in updated:
        # One UPDATE of just the changed columns per action: far quicker than bulk_update's
        # CASE expressions for thousands of rows.
        Action.objects.filter(pk=action.pk).update(
            **{field: getattr(action, field) for field in fields},
            version=action.version,
            updated_at=now,
        )
    through = Action.areas.through
    if area_changes:
        through.objects.filter(action_id__in=[a.pk for a, _ in area_changes]).delete()
    through.objects.bulk_create(
        [
            through(action_id=action.pk, areaforimprovement_id=area_id)
            for action, ids in (*created_areas, *area_changes)
            for area_id in sorted(ids)
        ]
    )
    DueDateChange.objects.bulk_create(due_changes)
    ProgressUpdate.objects.bulk_create(progress)
    Evidence.objects.bulk_create(evidence)
    return ImportResult(
        created=[a.reference for a in created],
        updated=[a.reference for a, _fields in updated],
        unchanged=unchanged,
    )


# --- Running the plan: leads add, edit, cancel and renumber actions; manage priorities --------


def next_reference(priority: Priority, *, taken: Set[str] = frozenset()) -> str:
    """The next free "<priority>.<n>" reference (after the highest in use)."""
    prefix = f"{priority.number}."
    numbers = [
        int(ref.removeprefix(prefix))
        for ref in [
            *Action.objects.filter(reference__startswith=prefix).values_list(
                "reference", flat=True
            ),
            *taken,
        ]
        if ref.startswith(prefix) and ref.removeprefix(prefix).isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1}"


def _require_lead(user, doing: str) -> None:
    if not permissions.can_manage_plan(user):
        raise PermissionDenied(f"Only improvement leads can {doing}.")


def _date_errors(*, start_date: dt.date, due_date: dt.date, baseline: dt.date | None) -> dict:
    errors: dict[str, list[str]] = {}
    if problem := rules.due_date_problem(start_date=start_date, due_date=due_date):
        errors["due_date"] = [problem]
    if baseline is not None and baseline < start_date:
        errors["start_date"] = [
            f"The start date must be on or before the baseline due date, {rules.as_date(baseline)}."
        ]
    return errors


@transaction.atomic
def action_create(
    *,
    user,
    reference: str = "",
    title: str,
    priority,
    owner,
    accountable,
    start_date: dt.date,
    due_date: dt.date,
    description: str = "",
    areas=(),
) -> Action:
    """Add an action to the plan (leads only). The baseline due date is the due date agreed
    now and never changes. A blank reference gets the next free number in the priority.
    Raises ValidationError with messages per field (for example a reference already in use)."""
    _require_lead(user, "add actions to the plan")
    reference = reference.strip() or next_reference(priority)
    action = Action(
        reference=reference,
        title=title.strip(),
        description=description.strip(),
        priority=priority,
        owner=owner,
        accountable=accountable,
        start_date=start_date,
        baseline_due_date=due_date,
        due_date=due_date,
        status=Status.NOT_STARTED,
    )
    try:
        action.full_clean(validate_constraints=False)
    except ValidationError as error:
        errors = error.message_dict
    else:
        errors = {}
    errors.pop("__all__", None)  # the date rule, said once below against the due date
    if problem := rules.due_date_problem(start_date=start_date, due_date=due_date):
        errors["due_date"] = [problem]
    if Action.objects.filter(reference=reference).exists():
        errors["reference"] = [f"An action with reference {reference} already exists."]
    if priority is not None and priority.retired:
        errors["priority"] = [f"Priority {priority} is retired: choose a current one."]
    if errors:
        raise ValidationError(errors)
    action.save()
    if areas:
        action.areas.set(areas)
    return action


@dataclass(frozen=True)
class NewAction:
    """One row of "Add several": what differs between the actions."""

    title: str
    owner: User
    due_date: dt.date
    description: str = ""


@transaction.atomic
def action_create_several(
    *,
    user,
    area: AreaForImprovement,
    priority: Priority,
    accountable: User,
    start_date: dt.date,
    rows: list[NewAction],
) -> list[Action]:
    """Add a few actions answering one area for improvement, numbered one after another in
    the priority. All or none: raises ValidationError naming the row (from 1) at fault."""
    _require_lead(user, "add actions to the plan")
    if not rows:
        raise ValidationError("Give at least one action: a title, a lead officer and a due date.")
    created = []
    for number, row in enumerate(rows, start=1):
        try:
            created.append(
                action_create(
                    user=user,
                    title=row.title,
                    description=row.description,
                    priority=priority,
                    owner=row.owner,
                    accountable=accountable,
                    start_date=start_date,
                    due_date=row.due_date,
                    areas=[area],
                )
            )
        except ValidationError as error:
            messages = [m for ms in error.message_dict.values() for m in ms]
            if "priority" in error.message_dict or "accountable" in error.message_dict:
                raise
            raise ValidationError(
                {f"row{number}": [f"Action {number}: {m}" for m in messages]}
            ) from error
    return created


def _locked_for_plan_change(*, user, pk: int, expected_version: int, doing: str) -> Action:
    _require_lead(user, doing)
    action = get_object_or_404(Action.objects.select_for_update(of=("self",)), pk=pk)
    if action.version != expected_version:
        since = action.updates.filter(action_version__gt=expected_version).select_related("author")
        raise ActionChangedError(action, list(since))
    return action


@transaction.atomic
def action_edit(
    *,
    user,
    pk: int,
    expected_version: int,
    title: str,
    description: str,
    priority: Priority,
    areas,
    owner: User,
    accountable: User,
    start_date: dt.date,
    due_date: dt.date,
    due_date_reason: str = "",
) -> Action:
    """A lead changes what an action is and who answers for it. The baseline due date never
    changes; a new due date needs a reason and is kept (and the owner and accountable manager
    are told), as when an officer changes it. No progress update is written: the audit trail
    records the change. Raises ActionChangedError if someone saved the action since
    `expected_version`, ValidationError per field."""
    action = _locked_for_plan_change(
        user=user, pk=pk, expected_version=expected_version, doing="edit actions"
    )
    errors = _date_errors(
        start_date=start_date, due_date=due_date, baseline=action.baseline_due_date
    )
    title = title.strip()
    if not title:
        errors["title"] = ["Enter a title."]
    if priority.retired and priority.pk != action.priority_id:
        errors["priority"] = [f"Priority {priority} is retired: choose a current one."]
    due_change = None
    if due_date != action.due_date:
        reason = due_date_reason.strip()
        if not reason:
            errors["due_date_reason"] = ["Give a reason for changing the due date."]
        due_change = DueDateChange(
            action=action,
            old_date=action.due_date,
            new_date=due_date,
            reason=reason,
            changed_by=user,
        )
    if errors:
        raise ValidationError(errors)
    action.title = title
    action.description = description.strip()
    action.priority = priority
    action.owner = owner
    action.accountable = accountable
    action.start_date = start_date
    action.due_date = due_date
    action.version += 1
    action.save()
    current = set(action.areas.values_list("pk", flat=True))
    wanted = {area.pk for area in areas}
    if current != wanted:
        action.areas.remove(*(current - wanted))
        action.areas.add(*(wanted - current))
    if due_change is not None:
        due_change.save()  # the reminders tick tells the owner and accountable manager
    return action


@transaction.atomic
def action_cancel(*, user, pk: int, expected_version: int, reason: str) -> Action:
    """A lead cancels an action the plan no longer needs. It is kept, with its history and the
    reason, and no longer counts as open or overdue. The progress log says so."""
    action = _locked_for_plan_change(
        user=user, pk=pk, expected_version=expected_version, doing="cancel actions"
    )
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": ["Give a reason for cancelling the action."]})
    if action.status == Status.CANCELLED:
        raise ValidationError({"reason": ["This action is already cancelled."]})
    today = timezone.localdate()
    before: dict[str, Any] = {
        "status": action.status,
        "rag": action.rag_on(today) or "",
        "percent": action.percent_complete,
    }
    action.status = Status.CANCELLED
    action.completed_date = None
    action.cancellation_reason = reason
    action.version += 1
    action.save()
    ProgressUpdate.objects.create(
        action=action,
        author=user,
        note=f"Cancelled: {reason}",
        status_before=before["status"],
        status_after=action.status,
        rag_before=before["rag"],
        rag_after="",
        percent_before=before["percent"],
        percent_after=action.percent_complete,
        action_version=action.version,
    )
    return action


def _check_now() -> None:
    """Check the deferred unique constraints now, inside the transaction, so a clash is an
    error here and not at commit."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS action_reference_unique, priority_number_unique IMMEDIATE")


@transaction.atomic
def priority_renumber_actions(*, user, pk: int, references: dict[int, str]) -> list[Action]:
    """Give the actions of one priority new references (action pk → reference). References
    stay unique across the plan; swapping two is fine. Returns the actions that changed."""
    _require_lead(user, "renumber actions")
    priority = get_object_or_404(Priority, pk=pk)
    actions = {
        a.pk: a
        for a in Action.objects.select_for_update().filter(priority=priority, pk__in=references)
    }
    errors: dict[str, list[str]] = {}
    wanted = {a_pk: ref.strip() for a_pk, ref in references.items() if a_pk in actions}
    seen: dict[str, int] = {}
    for a_pk, ref in wanted.items():
        field = f"ref_{a_pk}"
        if not ref:
            errors[field] = [f"Enter a reference for action {actions[a_pk].reference}."]
        elif len(ref) > 20:
            errors[field] = ["A reference is at most 20 characters."]
        elif ref in seen:
            errors[field] = [f"Reference {ref} is given to more than one action."]
        seen.setdefault(ref, a_pk)
    others = set(
        Action.objects.filter(reference__in=list(seen))
        .exclude(pk__in=list(wanted))
        .values_list("reference", flat=True)
    )
    for a_pk, ref in wanted.items():
        if ref in others:
            errors[f"ref_{a_pk}"] = [f"Reference {ref} is used by an action in another priority."]
    if errors:
        raise ValidationError(errors)
    changed = []
    for a_pk, ref in wanted.items():
        action = actions[a_pk]
        if action.reference != ref:
            action.reference = ref
            action.version += 1
            changed.append(action)
    for action in changed:
        action.save(update_fields=["reference", "version", "updated_at"])
    _check_now()
    return changed


def priority_proposed_references(priority: Priority, actions: list[Action]) -> dict[int, str]:
    """ "<priority>.1", "<priority>.2"… in the order given."""
    return {action.pk: f"{priority.number}.{n}" for n, action in enumerate(actions, start=1)}


@transaction.atomic
def priority_create(*, user, title: str, description: str = "") -> Priority:
    """A new priority, numbered after the last."""
    _require_lead(user, "add priorities")
    title = title.strip()
    if not title:
        raise ValidationError({"title": ["Enter a title for the priority."]})
    last = Priority.objects.select_for_update().order_by("-number").first()
    return Priority.objects.create(
        number=(last.number + 1) if last else 1, title=title, description=description.strip()
    )


@transaction.atomic
def priority_update(*, user, pk: int, title: str, description: str = "") -> Priority:
    """Rename a priority or change its description."""
    _require_lead(user, "rename priorities")
    priority = get_object_or_404(Priority.objects.select_for_update(), pk=pk)
    title = title.strip()
    if not title:
        raise ValidationError({"title": ["Enter a title for the priority."]})
    priority.title = title
    priority.description = description.strip()
    priority.save()
    return priority


@transaction.atomic
def priority_move(*, user, pk: int, up: bool) -> tuple[Priority, Priority | None]:
    """Swap a priority with the one before (up) or after it. Action references that begin
    with either priority's number follow it ("3.2" becomes "2.2"). Returns the priority and
    the one it swapped with (None if it was already first or last)."""
    _require_lead(user, "reorder priorities")
    priorities = list(Priority.objects.select_for_update().order_by("number"))
    index = next((i for i, p in enumerate(priorities) if p.pk == pk), None)
    if index is None:
        raise Priority.DoesNotExist
    other_index = index - 1 if up else index + 1
    priority = priorities[index]
    if not 0 <= other_index < len(priorities):
        return priority, None
    other = priorities[other_index]
    old = {priority.pk: priority.number, other.pk: other.number}
    priority.number, other.number = other.number, priority.number
    priority.save(update_fields=["number"])
    other.save(update_fields=["number"])
    for moved in (priority, other):
        prefix, new_prefix = f"{old[moved.pk]}.", f"{moved.number}."
        for action in Action.objects.select_for_update().filter(
            priority=moved, reference__startswith=prefix
        ):
            action.reference = new_prefix + action.reference.removeprefix(prefix)
            action.version += 1
            action.save(update_fields=["reference", "version", "updated_at"])
    _check_now()
    return priority, other


@transaction.atomic
def priority_retire(*, user, pk: int, retired: bool = True) -> Priority:
    """Retire a priority the plan no longer pursues (or bring it back). It keeps its actions
    and its place in history; new actions cannot choose it. Refused while any of its actions
    is open: move them to another priority, complete or cancel them first."""
    _require_lead(user, "retire priorities")
    priority = get_object_or_404(Priority.objects.select_for_update(), pk=pk)
    if retired:
        open_count = priority.actions.open().count()
        if open_count:
            raise ValidationError(
                f"Priority {priority.number} still has {open_count} open "
                f"action{'s' if open_count != 1 else ''}. Move them to another priority, "
                "or complete or cancel them, before retiring it."
            )
    priority.retired = retired
    priority.save(update_fields=["retired"])
    return priority
