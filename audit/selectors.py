"""Reading the audit trail: the history of one record for its page, and every change in a
date range for the export. Both give `HistoryEntry` objects with readable values."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.text import capfirst

from accounts.credentials import LABELS
from accounts.models import User
from audit.context import source_label
from audit.models import AuditEvent

HISTORY_LIMIT = 200
# Bookkeeping columns that change with every save and mean nothing to a reader.
HIDDEN_FIELDS = frozenset(
    {"id", "version", "action_version", "created_at", "updated_at", "password", "last_login"}
)
# How a document is stored (its name on disk, its size, its type) means nothing to a reader;
# the name it was uploaded with is shown instead.
STORAGE_FIELDS = frozenset({"size", "content_type", "sha256", "checksum"})
EVENT_LABELS = {"insert": "Created", "update": "Changed", "delete": "Deleted"} | LABELS
# What people read for a record's event: "Progress update added", "Action changed".
HEADLINE_VERBS = {"Created": "added", "Changed": "changed", "Deleted": "removed"}
# Labels people use, where a field's own name reads like code.
FIELD_LABELS = {
    "rag": "RAG",
    "percent": "Percent complete",
    "original_name": "Document",
    "pgh_obj": "",
}
DATETIME_SHOWN = "j M Y, H:i"  # 24-hour, as everywhere else in the app


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str
    # The line people read, when it is not "field: before → after" (for example
    # "Areas for improvement: added Supervision").
    summary: str = ""

    @property
    def text(self) -> str:
        if self.summary:
            return self.summary
        if self.before and self.after:
            return f"{self.field}: {self.before} → {self.after}"
        if self.after:
            return f"{self.field}: {self.after}"
        return f"{self.field}: {self.before} (removed)"


@dataclass
class HistoryEntry:
    """One audited change, ready to show or export."""

    when: dt.datetime
    event: str  # Created, Changed, Deleted
    record_type: str  # "Action", "Progress update"...
    record_id: str
    record_model: str  # "actions.Action"
    person: User | None
    source: str
    url: str
    request_id: str
    changes: list[Change] = field(default_factory=list)
    data: dict = field(default_factory=dict)

    @property
    def headline(self) -> str:
        """ "Progress update added", "Action changed": what happened, in words."""
        if self.event not in HEADLINE_VERBS:  # already a sentence ("Password changed by …")
            return self.event
        return f"{self.record_type} {HEADLINE_VERBS[self.event]}"

    @property
    def person_name(self) -> str:
        if self.person is not None:
            return self.person.display_name
        return "System" if self.source != source_label(None) else "Not known"

    def changes_text(self) -> str:
        return "; ".join(
            c.text if c.summary else f"{c.field}: {c.before or '(blank)'} → {c.after}"
            for c in self.changes
        )


def history_for(obj: models.Model, *, limit: int = HISTORY_LIMIT) -> list[HistoryEntry]:
    """Changes to `obj` and to the records that belong to it (an action's progress updates,
    due-date changes and evidence; an inspection's judgements and areas), newest first."""
    events = AuditEvent.objects.references(obj).order_by("-pgh_created_at", "-pgh_id")[:limit]
    return list(_entries(list(events), about=obj))


def history_between(start: dt.date, end: dt.date, *, batch: int = 2000) -> Iterator[HistoryEntry]:
    """Every audited change from the start of `start` to the end of `end` (local time),
    oldest first. Streams in batches so a year's history does not sit in memory."""
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    queryset = AuditEvent.objects.filter(
        pgh_created_at__gte=since, pgh_created_at__lt=until
    ).order_by("pgh_created_at", "pgh_slug")
    last: tuple[dt.datetime, str] | None = None
    while True:
        page = queryset
        if last is not None:
            page = page.filter(
                models.Q(pgh_created_at__gt=last[0])
                | models.Q(pgh_created_at=last[0], pgh_slug__gt=last[1])
            )
        events = list(page[:batch])
        if not events:
            return
        yield from _entries(events)
        last = (events[-1].pgh_created_at, events[-1].pgh_slug)


# --- Turning raw events into readable entries ---------------------------------------------


class _Values:
    """Formats stored column values: choices as labels, dates as dates, foreign keys as the
    name of the record they point to (looked up in one query per model)."""

    def __init__(self, events: list[AuditEvent]):
        wanted: dict[type[models.Model], set] = defaultdict(set)
        for event in events:
            model = _tracked_model(event)
            relation = _relation(model)
            if relation is not None:
                value = _value(event.pgh_data or {}, relation.target_column)
                if value is not None:
                    wanted[relation.field.related_model].add(value)
            for column, value in (event.pgh_data or {}).items():
                target = _foreign_model(model, column)
                if target is not None and value is not None:
                    wanted[target].add(value)
            for column, (before, after) in (event.pgh_diff or {}).items():
                target = _foreign_model(model, column)
                if target is not None:
                    wanted[target].update(v for v in (before, after) if v is not None)
            user_id = (event.pgh_context or {}).get("user")
            if user_id is not None:
                wanted[User].add(user_id)
        self.names: dict[tuple[type, str], models.Model] = {}
        for model, pks in wanted.items():
            for instance in model._default_manager.filter(pk__in=pks):
                self.names[(model, str(instance.pk))] = instance

    def instance(self, model, pk):
        return self.names.get((model, str(pk)))

    def label(self, model, column: str) -> str | None:
        field = _field(model, column)
        if field is None:
            return None
        if field.name in HIDDEN_FIELDS or column in HIDDEN_FIELDS:
            return None
        if field.name in STORAGE_FIELDS or isinstance(field, models.FileField):
            return None
        if field.name in FIELD_LABELS:
            return FIELD_LABELS[field.name] or None
        return capfirst(str(field.verbose_name))

    def format(self, model, column: str, value) -> str:
        if value is None or value == "":
            return ""
        field = _field(model, column)
        target = _foreign_model(model, column)
        if target is not None:
            instance = self.instance(target, value)
            return str(instance) if instance is not None else f"#{value} (since deleted)"
        if field is not None and field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(field, models.BooleanField):
            return "Yes" if value else "No"
        if isinstance(field, models.DateTimeField):
            parsed = parse_datetime(str(value))
            if parsed:
                return date_format(timezone.localtime(parsed), DATETIME_SHOWN)
        elif isinstance(field, models.DateField):
            parsed_date = parse_date(str(value))
            if parsed_date:
                return date_format(parsed_date, "DATE_FORMAT")
        if isinstance(value, list | dict):
            return ", ".join(map(str, value)) if isinstance(value, list) else json.dumps(value)
        return str(value)


def _entries(events: list[AuditEvent], *, about=None) -> Iterable[HistoryEntry]:
    """Readable entries. With `about` (the record whose page shows them), a link back to that
    record is left out of each line: "Action: 1.1 …" on the action's own page says nothing."""
    values = _Values(events)
    for event in events:
        model = _tracked_model(event)
        context = event.pgh_context or {}
        relation = _relation(model)
        if relation is not None:
            record_type, event_label, record_id, changes = _relation_change(relation, event, values)
        else:
            record_type = capfirst(str(model._meta.verbose_name)) if model else event.pgh_obj_model
            event_label = EVENT_LABELS.get(event.pgh_label, event.pgh_label)
            record_id = event.pgh_obj_id or ""
            changes = _record_changes(model, event, values, about=about)
        user_id = context.get("user")
        yield HistoryEntry(
            when=timezone.localtime(event.pgh_created_at),
            event=event_label,
            record_type=record_type,
            record_id=record_id,
            record_model=event.pgh_obj_model,
            person=values.instance(User, user_id) if user_id is not None else None,
            source=source_label(event.pgh_context),
            url=context.get("url") or "",
            request_id=context.get("request_id") or context.get("task_id") or "",
            changes=changes,
            data=event.pgh_data or {},
        )


def _record_changes(model, event: AuditEvent, values: _Values, *, about=None) -> list[Change]:
    changes: list[Change] = []
    if event.pgh_label == "update" and event.pgh_diff:
        items = [(column, before, after) for column, (before, after) in event.pgh_diff.items()]
    elif event.pgh_label not in ("insert", "delete"):  # an event named in full (LABELS)
        return []
    else:  # created or deleted: what the record held
        data = event.pgh_data or {}
        items = [(column, None, value) for column, value in data.items()]
    items.sort(key=lambda item: _column_position(model, item[0]))
    pairs = _before_after_pairs(model, [column for column, _, _ in items])
    done: set[str] = set()
    deleted = event.pgh_label == "delete"
    label: str | None
    for column, before, after in items:
        if column in done:
            continue
        if about is not None and _points_at(model, column, after, about):
            continue
        if column in pairs:  # status_before and status_after: one line, "Status: A → B"
            before_column, after_column, label = pairs[column]
            done.update({before_column, after_column})
            data = event.pgh_data or {}
            old = values.format(model, before_column, data.get(before_column))
            new = values.format(model, after_column, data.get(after_column))
            if column == "percent_before" or before_column.startswith("percent"):
                old, new = (f"{v}%" if v != "" else v for v in (old, new))
            if old == new:  # unchanged: not worth a line
                continue
            changes.append(Change(label, old, new, summary=f"{label}: {old or '(none)'} → {new}"))
            continue
        label = values.label(model, column)
        if not label:
            continue
        if event.pgh_label == "update":
            changes.append(
                Change(
                    label,
                    values.format(model, column, before),
                    values.format(model, column, after),
                )
            )
            continue
        shown = values.format(model, column, after)
        if shown:
            changes.append(Change(label, shown, "") if deleted else Change(label, "", shown))
    return changes


def _column_position(model, column: str) -> int:
    if model is None:
        return 0
    for index, candidate in enumerate(model._meta.concrete_fields):
        if column in (candidate.attname, candidate.name):
            return index
    return len(model._meta.concrete_fields)


def _before_after_pairs(model, columns: list[str]) -> dict[str, tuple[str, str, str]]:
    """Columns that come as a before and after pair (a progress update's status_before and
    status_after): each of the two → (before column, after column, label)."""
    pairs = {}
    present = set(columns)
    for column in columns:
        if column.endswith("_before"):
            stem = column.removesuffix("_before")
            if f"{stem}_after" in present:
                label = FIELD_LABELS.get(stem) or capfirst(stem.replace("_", " "))
                pair = (column, f"{stem}_after", label)
                pairs[column] = pairs[f"{stem}_after"] = pair
    return pairs


def _points_at(model, column: str, value, about) -> bool:
    target = _foreign_model(model, column)
    return (
        target is not None
        and value is not None
        and isinstance(about, target)
        and str(value) == str(about.pk)
    )


@dataclass(frozen=True)
class _Relation:
    """A many-to-many link table: which model owns the link, the field, and the columns."""

    owner: type[models.Model]
    field: models.ManyToManyField
    owner_column: str
    target_column: str


def _relation(model) -> _Relation | None:
    owner = getattr(model._meta, "auto_created", None) if model else None
    if not owner:
        return None
    for candidate in owner._meta.many_to_many:
        if candidate.remote_field.through is model:
            return _Relation(
                owner=owner,
                field=candidate,
                owner_column=candidate.m2m_column_name(),
                target_column=candidate.m2m_reverse_name(),
            )
    return None


def _relation_change(relation: _Relation, event: AuditEvent, values: _Values):
    """A link added or removed, told as a change to the record that owns the link:
    "Action changed. Areas for improvement: added Supervision"."""
    data = event.pgh_data or {}
    target_model = relation.field.related_model
    target = values.instance(target_model, _value(data, relation.target_column))
    label = capfirst(str(relation.field.verbose_name))
    name = str(target) if target is not None else "a record since deleted"
    verb = "removed" if event.pgh_label == "delete" else "added"
    change = Change(
        label,
        name if verb == "removed" else "",
        name if verb == "added" else "",
        summary=f"{label}: {verb} {name}",
    )
    return (
        capfirst(str(relation.owner._meta.verbose_name)),
        "Changed",
        str(_value(data, relation.owner_column) or ""),
        [change],
    )


def _value(data: dict, column: str):
    """A column's value in an event's data, stored under its column or its field name."""
    return data.get(column, data.get(column.removesuffix("_id")))


def _tracked_model(event: AuditEvent) -> type[models.Model] | None:
    try:
        return apps.get_model(event.pgh_obj_model)
    except LookupError:
        return None


def _field(model, column: str) -> models.Field | None:
    if model is None:
        return None
    for candidate in model._meta.concrete_fields:
        if candidate.attname == column or candidate.name == column:
            return candidate
    try:
        return model._meta.get_field(column)
    except FieldDoesNotExist:
        return None


def _foreign_model(model, column: str) -> type[models.Model] | None:
    field = _field(model, column)
    if field is not None and field.many_to_one and field.related_model is not None:
        return field.related_model
    return None
