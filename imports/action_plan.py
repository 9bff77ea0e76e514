"""The action plan as a spreadsheet: its columns, reading a row into an action, the preview of
an import, and the rows of an export.

Import and export share COLUMNS, so an exported sheet imports back with nothing changed.
Every lookup (people, priorities, areas for improvement, existing actions) is fetched once
into dictionaries, so a preview costs a handful of queries however long the sheet is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch

from accounts.models import User
from actions.models import Action, Evidence, Priority, Status
from actions.services import ImportCheck
from imports.action_plan_checks import ImportedAction, action_import_checks
from imports.spreadsheets import Sheet, unneutralise, write_csv, write_xlsx
from inspections.models import AreaForImprovement


@dataclass(frozen=True)
class Column:
    field: str
    label: str
    synonyms: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("reference", "Reference", ("ref", "action ref", "action reference", "action no", "no")),
    Column("title", "Title", ("action", "action title", "what will be done", "actions")),
    Column("description", "Description", ("detail", "details", "action detail", "how")),
    Column(
        "priority", "Priority", ("priority number", "priority no", "improvement priority", "theme")
    ),
    Column(
        "areas",
        "Areas for improvement",
        (
            "area for improvement",
            "areas for improvement afi",
            "afi",
            "afis",
            "ofsted area",
            "ofsted areas",
            "ofsted recommendation",
            "ofsted recommendations",
            "recommendation",
        ),
    ),
    Column(
        "owner",
        "Lead officer",
        ("owner", "lead", "action owner", "responsible officer", "responsible", "lead person"),
    ),
    Column(
        "accountable",
        "Accountable senior manager",
        ("accountable", "accountable manager", "accountable officer", "sponsor", "sro"),
    ),
    Column("start_date", "Start date", ("start", "date started", "from")),
    Column(
        "baseline_due_date",
        "Baseline due date",
        ("baseline", "original due date", "original deadline", "original target date"),
    ),
    Column(
        "due_date",
        "Due date",
        ("due", "deadline", "target date", "current due date", "revised due date", "by when"),
    ),
    Column("status", "Status", ("current status", "progress status", "action status")),
    Column(
        "percent_complete",
        "Percent complete",
        ("% complete", "percentage complete", "complete %", "progress %", "% done", "progress"),
    ),
    Column(
        "completed_date",
        "Completed date",
        ("date completed", "completion date", "completed on", "actual completion date"),
    ),
    Column("evidence", "Evidence", ("evidence of completion", "evidence of impact")),
    Column(
        "due_date_reason",
        "Reason for due-date change",
        (
            "reason for due date change",
            "due date change reason",
            "reason for change of due date",
            "reason for new due date",
            "reason for revised due date",
            "reason for revised date",
            "reason for change",
            "reason for slippage",
            "slippage reason",
        ),
    ),
)
FIELDS = {column.field: column for column in COLUMNS}
REQUIRED_COLUMNS = ("reference",)
EXPORT_WIDTHS = (10, 50, 50, 9, 22, 22, 22, 12, 12, 12, 12, 10, 12, 40, 40)


# --- Headings and column choices -----------------------------------------------------------


def heading_key(value: object) -> str:
    """A heading as compared: lower case, punctuation as spaces (but % kept)."""
    text = "" if value is None else str(value)
    return " ".join(re.sub(r"[^\w%]+", " ", text.lower()).split())


_KEYS = {
    heading_key(name): column.field
    for column in COLUMNS
    for name in (column.label, column.field.replace("_", " "), *column.synonyms)
}


def guess_header_row(rows: list[list[object]]) -> int:
    """The index of the headings row: the first of the first 20 rows with at least two text
    cells and no numbers or dates (title rows above the table have just one)."""
    for index, row in enumerate(rows[:20]):
        filled = [v for v in row if v not in (None, "")]
        if len(filled) >= 2 and all(isinstance(v, str) for v in filled):
            return index
    return 0


def headings_of(sheet: Sheet, header_row: int) -> list[str]:
    row = sheet.rows[header_row] if header_row < len(sheet.rows) else []
    width = max((len(r) for r in sheet.rows[header_row : header_row + 50]), default=0)
    return [
        str(row[i]).strip() if i < len(row) and row[i] not in (None, "") else ""
        for i in range(width)
    ]


def signature(headings: list[str]) -> str:
    """Identifies sheets laid out alike, to remember their column choices."""
    keys = [heading_key(h) for h in headings]
    while keys and not keys[-1]:
        keys.pop()
    return hashlib.sha256(json.dumps(keys).encode()).hexdigest()


def guess_columns(headings: list[str]) -> dict[str, int]:
    """Field → column index for the headings we recognise; each field at most once."""
    found: dict[str, int] = {}
    for index, heading in enumerate(headings):
        name = _KEYS.get(heading_key(heading))
        if name and name not in found:
            found[name] = index
    return found


def sample_text(value: object) -> str:
    """A cell as shown in the column choices' examples."""
    if isinstance(value, dt.datetime | dt.date):
        return f"{value:%-d %b %Y}"
    return _text(value)


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


# --- Lookups -------------------------------------------------------------------------------


def _name_key(value: str) -> str:
    return " ".join(value.lower().replace("’", "'").split())


_CODE = re.compile(r"^(\d{4}(?:-\d{2}(?:-\d{2})?)?)\s*/\s*0*(\d{1,3})$")


def area_codes(areas: Iterable[AreaForImprovement]) -> dict[int, str]:
    """A short code for each area for improvement: '2019/3' is the third area of the
    inspection that started in 2019. When a year has areas from more than one inspection the
    code names the month ('2022-05/2'), or the day if need be."""
    areas = list(areas)
    inspections = {(a.inspection_id, a.inspection.start_date) for a in areas}
    per_year = Counter(start.year for _, start in inspections)
    per_month = Counter((start.year, start.month) for _, start in inspections)
    codes = {}
    for area in areas:
        start = area.inspection.start_date
        if per_year[start.year] == 1:
            when = f"{start:%Y}"
        elif per_month[(start.year, start.month)] == 1:
            when = f"{start:%Y-%m}"
        else:
            when = f"{start:%Y-%m-%d}"
        codes[area.pk] = f"{when}/{area.order}"
    return codes


@dataclass
class Lookups:
    """Everything a row is resolved against, fetched once."""

    users: dict[int, User]
    by_username: dict[str, User]
    by_email: dict[str, list[User]]
    by_name: dict[str, list[User]]
    priorities: dict[int, Priority]
    priority_by_pk: dict[int, Priority]
    priority_by_title: dict[str, Priority]
    codes: dict[int, str]
    area_by_code: dict[str, int]
    area_by_year: dict[str, list[int]]
    area_by_text: dict[str, list[int]]

    @classmethod
    def load(cls) -> Lookups:
        users = list(User.objects.only("username", "email", "first_name", "last_name", "is_active"))
        by_email: dict[str, list[User]] = defaultdict(list)
        by_name: dict[str, list[User]] = defaultdict(list)
        for user in users:
            if user.email:
                by_email[user.email.lower()].append(user)
            if user.get_full_name():
                by_name[_name_key(user.get_full_name())].append(user)
        priorities = list(Priority.objects.all())
        areas = list(
            AreaForImprovement.objects.select_related("inspection").only(
                "text", "short_title", "order", "inspection__start_date"
            )
        )
        codes = area_codes(areas)
        by_year: dict[str, list[int]] = defaultdict(list)
        by_text: dict[str, list[int]] = defaultdict(list)
        for area in areas:
            by_year[f"{area.inspection.start_date:%Y}/{area.order}"].append(area.pk)
            for text in {area.text, area.short_title}:
                if text:
                    by_text[_text_key(text)].append(area.pk)
        return cls(
            users={u.pk: u for u in users},
            by_username={u.username.lower(): u for u in users},
            by_email=dict(by_email),
            by_name=dict(by_name),
            priorities={p.number: p for p in priorities},
            priority_by_pk={p.pk: p for p in priorities},
            priority_by_title={_name_key(p.title): p for p in priorities},
            codes=codes,
            area_by_code={code: pk for pk, code in codes.items()},
            area_by_year=dict(by_year),
            area_by_text=dict(by_text),
        )

    def person_label(self, user: User) -> str:
        """How a person is written in an export: their full name if no one else has it."""
        name = user.get_full_name()
        if name and len(self.by_name.get(_name_key(name), [])) == 1:
            return name
        return user.username


def _text_key(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.lower().replace("’", "'")).split())


# --- Cells → values ------------------------------------------------------------------------


class CellProblem(Exception):
    pass


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, float | int | dt.date):
        return str(value)
    return unneutralise(str(value)).replace("\r\n", "\n").replace("\r", "\n").strip()


_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for m in names
}


def parse_date(value: object, label: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    try:
        m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][\d:.]+)?", text)
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})", text)
        if m:
            year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
            return dt.date(year, int(m[2]), int(m[1]))
        m = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?[\s\-]+([A-Za-z]+)\.?,?[\s\-]+(\d{4})", text)
        if m and m[2].lower() in _MONTHS:
            return dt.date(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
    except ValueError:
        pass
    raise CellProblem(
        f"{label} “{text}” is not a date: write it like 31/12/2026, 2026-12-31 or 31 December 2026."
    )


_STATUS_WORDS = {_name_key(label): value for value, label in Status.choices} | {
    _name_key(value.replace("_", " ")): value for value in Status.values
}
_STATUS_WORDS |= {
    "completed": Status.COMPLETE,
    "done": Status.COMPLETE,
    "not yet started": Status.NOT_STARTED,
    "canceled": Status.CANCELLED,
    "off-track": Status.OFF_TRACK,
    "on-track": Status.ON_TRACK,
    "at-risk": Status.AT_RISK,
}


def parse_status(value: object) -> str:
    text = _text(value)
    status = _STATUS_WORDS.get(_name_key(text.replace("_", " ")))
    if status is None:
        raise CellProblem(f"Unknown status “{text}”: use one of {', '.join(Status.labels)}.")
    return status


def parse_percent(value: object) -> int:
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        text = _text(value).rstrip("%").strip()
        try:
            number = float(text)
        except ValueError:
            raise CellProblem(
                f"Percent complete “{_text(value)}” is not a number: write a number from 0 to 100."
            ) from None
    if 0 < number < 1 and not number.is_integer():
        raise CellProblem(
            f"Percent complete {number:g} is ambiguous: write it as a number from 0 to 100 "
            f"(for example {number * 100:g})."
        )
    return round(number)


def parse_priority(value: object, lookups: Lookups) -> Priority:
    text = _text(value)
    m = re.match(r"^(?:priority\s*)?(\d{1,3})\b", text, re.I)
    priority = lookups.priorities.get(int(m[1])) if m else None
    if priority is None:
        title = re.sub(r"^\d{1,3}[.)]?\s*", "", text)
        priority = lookups.priority_by_title.get(_name_key(title))
    if priority is None:
        numbers = ", ".join(str(n) for n in sorted(lookups.priorities)) or "none yet"
        raise CellProblem(f"Unknown priority “{text}”: use a priority number ({numbers}).")
    return priority


def parse_person(value: object, lookups: Lookups, label: str) -> User:
    text = _text(value)
    key = text.lower()
    user = lookups.by_username.get(key)
    if user is not None:
        return user
    for matches, how in (
        (lookups.by_email.get(key), "email"),
        (lookups.by_name.get(_name_key(text)), "name"),
    ):
        if matches and len(matches) == 1:
            return matches[0]
        if matches:
            raise CellProblem(
                f"{label}: more than one person has the {how} “{text}”. Use their username."
            )
    raise CellProblem(
        f"Unknown {label.lower()} “{text}”: use the username, email or full name of someone "
        "who can sign in to Improve."
    )


def parse_areas(value: object, lookups: Lookups) -> frozenset[int]:
    text = _text(value)
    parts = [p.strip() for p in re.split(r"[;\n]+", text) if p.strip()]
    if len(parts) == 1 and "," in parts[0]:
        pieces = [p.strip() for p in parts[0].split(",") if p.strip()]
        if all(_CODE.match(p) for p in pieces):
            parts = pieces
    found: set[int] = set()
    for part in parts:
        m = _CODE.match(part)
        if m:
            code = f"{m[1]}/{int(m[2])}"
            pk = lookups.area_by_code.get(code)
            if pk is None:
                same_year = lookups.area_by_year.get(code) or []
                if len(same_year) > 1:
                    options = " or ".join(sorted(lookups.codes[p] for p in same_year))
                    raise CellProblem(
                        f"Area for improvement “{part}” could be {options}: write which."
                    )
                if len(same_year) == 1:
                    pk = same_year[0]
            if pk is None:
                raise CellProblem(
                    f"Unknown area for improvement “{part}”: no inspection that year has an "
                    "area with that number."
                )
            found.add(pk)
            continue
        matches = lookups.area_by_text.get(_text_key(part)) or []
        if len(matches) != 1:
            raise CellProblem(
                f"Unknown area for improvement “{part[:80]}”: write it as year/number, "
                "for example 2019/3, as the inspection pages number them."
            )
        found.add(matches[0])
    return frozenset(found)


# --- The preview ---------------------------------------------------------------------------


@dataclass
class RowPreview:
    number: int  # the row number in the spreadsheet, from 1
    reference: str
    title: str
    problems: list[str] = field(default_factory=list)
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    outcome: str = "unchanged"  # new, update, unchanged or problem

    @property
    def outcome_label(self) -> str:
        return {
            "new": "New",
            "update": "Update",
            "unchanged": "No change",
            "problem": "Problem",
        }[self.outcome]


@dataclass
class Preview:
    rows: list[RowPreview]
    imported: list[ImportedAction]
    fingerprint: str
    columns: dict[str, int]
    blank_rows: int = 0

    @property
    def counts(self) -> Counter:
        return Counter(row.outcome for row in self.rows)

    @property
    def has_problems(self) -> bool:
        return any(row.problems for row in self.rows)

    @property
    def problem_count(self) -> int:
        return sum(len(row.problems) for row in self.rows)

    @property
    def changes_anything(self) -> bool:
        counts = self.counts
        return bool(counts["new"] or counts["update"])


_PEOPLE = {"owner", "accountable"}


def build_preview(
    sheet: Sheet,
    *,
    header_row: int,
    columns: dict[str, int],
    today: dt.date,
    lookups: Lookups | None = None,
    lock: bool = False,
) -> Preview:
    """Read every row under the headings and say what importing it would do, or why it can't.

    Nothing is written. With lock=True the existing actions are locked (for the import itself,
    inside its transaction)."""
    lookups = lookups or Lookups.load()
    columns = {name: index for name, index in columns.items() if name in FIELDS}
    previews: list[RowPreview] = []
    imported: list[ImportedAction] = []
    rows_for_check: list[tuple[RowPreview, ImportedAction]] = []
    blank = 0
    seen: dict[str, list[RowPreview]] = defaultdict(list)
    for index in range(header_row + 1, len(sheet.rows)):
        cells = sheet.rows[index]
        if not cells:
            blank += 1
            continue

        def cell(name: str, cells=cells) -> object:
            position = columns.get(name)
            if position is None or position >= len(cells):
                return None
            value = cells[position]
            return None if isinstance(value, str) and not _text(value) else value

        reference = _text(cell("reference"))
        preview = RowPreview(number=index + 1, reference=reference, title=_text(cell("title")))
        previews.append(preview)
        if not any(cell(name) is not None for name in columns):
            blank += 1
            previews.pop()
            continue
        values: dict[str, Any] = {}
        unreadable: set[str] = set()
        for name in columns:
            raw = cell(name)
            if name == "reference" or raw is None:
                continue
            label = FIELDS[name].label
            try:
                if name in {"title", "description", "evidence", "due_date_reason"}:
                    values[name] = _text(raw)
                elif name == "priority":
                    values[name] = parse_priority(raw, lookups)
                elif name in _PEOPLE:
                    values[name] = parse_person(raw, lookups, label)
                elif name == "areas":
                    values[name] = parse_areas(raw, lookups)
                elif name.endswith("_date"):
                    values[name] = parse_date(raw, label)
                elif name == "status":
                    values[name] = parse_status(raw)
                elif name == "percent_complete":
                    values[name] = parse_percent(raw)
            except CellProblem as problem:
                preview.problems.append(str(problem))
                unreadable.add(name)
        if not reference:
            preview.problems.insert(0, "No reference: every action needs one, for example 2.3.")
            continue
        seen[reference].append(preview)
        row = ImportedAction(reference=reference, unreadable=frozenset(unreadable), **values)
        rows_for_check.append((preview, row))

    for reference, same in seen.items():
        if len(same) > 1:
            numbers = [p.number for p in same]
            for preview in same:
                others = ", ".join(str(n) for n in numbers if n != preview.number)
                preview.problems.insert(
                    0, f"Reference {reference} is on more than one row (also row {others})."
                )

    unique = [(p, r) for p, r in rows_for_check if len(seen[r.reference]) == 1]
    checks = action_import_checks([r for _, r in unique], on=today, lock=lock)
    for (preview, row), check in zip(unique, checks, strict=True):
        preview.problems.extend(check.problems)
        preview.problems.extend(_inactive_people(row, check))
        preview.changes = describe_changes(check, lookups)
        if check.new_evidence:
            preview.changes.append(("Evidence", "", _short(check.new_evidence)))
        if check.due_date_reason:
            preview.changes.append(
                (FIELDS["due_date_reason"].label, "", _short(check.due_date_reason))
            )
        if not preview.title and check.current is not None:
            preview.title = check.current.title
        if check.is_new:
            preview.outcome = "new"
        elif check.changes_anything:
            preview.outcome = "update"
        imported.append(row)
    for preview in previews:
        if preview.problems:
            preview.outcome = "problem"
    return Preview(
        rows=previews,
        imported=imported,
        fingerprint=_fingerprint(previews),
        columns=dict(columns),
        blank_rows=blank,
    )


def _inactive_people(row: ImportedAction, check: ImportCheck) -> list[str]:
    problems = []
    for name in _PEOPLE:
        person = getattr(row, name)
        current_id = getattr(check.current, f"{name}_id", None)
        if person is not None and not person.is_active and person.pk != current_id:
            problems.append(
                f"{FIELDS[name].label}: {person.get_full_name() or person.username} can no "
                "longer sign in. Choose someone else."
            )
    return problems


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_value(name: str, value: Any, lookups: Lookups) -> str:
    if value is None or value == "":
        return ""
    if name == "priority":
        priority = lookups.priority_by_pk.get(value)
        return str(priority.number) if priority else str(value)
    if name in _PEOPLE:
        user = lookups.users.get(value)
        return user.display_name if user else str(value)
    if name == "areas":
        return "; ".join(sorted(lookups.codes.get(pk, "?") for pk in value)) or ""
    if isinstance(value, dt.date):
        return f"{value:%-d %b %Y}"
    if name == "status":
        return Status(value).label
    if name == "percent_complete":
        return f"{value}%"
    return _short(str(value))


def describe_changes(check: ImportCheck, lookups: Lookups) -> list[tuple[str, str, str]]:
    described = []
    for name, (before, after) in check.changes.items():
        if check.is_new and (after is None or after == "" or after == frozenset()):
            continue
        described.append(
            (
                FIELDS[name].label,
                format_value(name, before, lookups),
                format_value(name, after, lookups),
            )
        )
    return described


def _fingerprint(previews: list[RowPreview]) -> str:
    """Identifies what an import would do, so the import can refuse if the plan changed
    between the preview and the confirmation."""
    data = [(p.number, p.reference, p.outcome, p.changes, p.problems) for p in previews]
    return hashlib.sha256(json.dumps(data, default=str).encode()).hexdigest()


# --- Export --------------------------------------------------------------------------------


def export_headings() -> list[str]:
    return [column.label for column in COLUMNS]


def export_row(action: Action, lookups: Lookups) -> list[object]:
    """One action as a row under export_headings(). Needs priority, owner, accountable, areas
    and evidence loaded (see export_queryset)."""
    evidence = next(iter(action.evidence.all()), None)  # newest first
    return [
        action.reference,
        action.title,
        action.description,
        action.priority.number,
        "; ".join(sorted(lookups.codes[a.pk] for a in action.areas.all())),
        lookups.person_label(action.owner),
        lookups.person_label(action.accountable),
        action.start_date,
        action.baseline_due_date,
        action.due_date,
        action.get_status_display(),
        action.percent_complete,
        action.completed_date,
        (evidence.note or evidence.url) if evidence else "",
        "",  # a reason is given only when a due date moves
    ]


EXPORT_FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


def export_actions(actions, *, file_format: str) -> bytes:
    """The actions (a queryset, in the order given) as a .csv or .xlsx file with the import's
    columns."""
    lookups = Lookups.load()
    actions = actions.prefetch_related(
        "areas",
        Prefetch("evidence", queryset=Evidence.objects.order_by("-added_at", "-pk")),
    )
    rows = (export_row(action, lookups) for action in actions)
    if file_format == "csv":
        return write_csv(export_headings(), rows)
    return write_xlsx(export_headings(), rows, sheet_title="Action plan", widths=EXPORT_WIDTHS)
