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
EVENT_LABELS = {"insert": "Created", "update": "Changed", "delete": "Deleted"} | LABELS


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


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
    def person_name(self) -> str:
        if self.person is not None:
            return self.person.display_name
        return "System" if self.source != source_label(None) else "Not known"

    def changes_text(self) -> str:
        return "; ".join(f"{c.field}: {c.before or '(blank)'} → {c.after}" for c in self.changes)


def history_for(obj: models.Model, *, limit: int = HISTORY_LIMIT) -> list[HistoryEntry]:
    """Changes to `obj` and to the records that belong to it (an action's progress updates,
    due-date changes and evidence; an inspection's judgements and areas), newest first."""
    events = AuditEvent.objects.references(obj).order_by("-pgh_created_at", "-pgh_id")[:limit]
    return list(_entries(list(events)))


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
                return date_format(timezone.localtime(parsed), "DATETIME_FORMAT")
        elif isinstance(field, models.DateField):
            parsed = parse_date(str(value))
            if parsed:
                return date_format(parsed, "DATE_FORMAT")
        if isinstance(value, list | dict):
            return ", ".join(map(str, value)) if isinstance(value, list) else json.dumps(value)
        return str(value)


def _entries(events: list[AuditEvent]) -> Iterable[HistoryEntry]:
    values = _Values(events)
    for event in events:
        model = _tracked_model(event)
        context = event.pgh_context or {}
        changes = []
        if event.pgh_label == "update" and event.pgh_diff:
            for column, (before, after) in event.pgh_diff.items():
                label = values.label(model, column)
                if label:
                    changes.append(
                        Change(
                            label,
                            values.format(model, column, before),
                            values.format(model, column, after),
                        )
                    )
        elif event.pgh_label in ("insert", "delete"):  # what the record held
            for column, value in (event.pgh_data or {}).items():
                label = values.label(model, column)
                shown = values.format(model, column, value) if label else ""
                if shown:
                    if event.pgh_label == "delete":
                        changes.append(Change(label, shown, ""))
                    else:
                        changes.append(Change(label, "", shown))
        user_id = context.get("user")
        yield HistoryEntry(
            when=timezone.localtime(event.pgh_created_at),
            event=EVENT_LABELS.get(event.pgh_label, event.pgh_label),
            record_type=capfirst(str(model._meta.verbose_name)) if model else event.pgh_obj_model,
            record_id=event.pgh_obj_id or "",
            record_model=event.pgh_obj_model,
            person=values.instance(User, user_id) if user_id is not None else None,
            source=source_label(event.pgh_context),
            url=context.get("url") or "",
            request_id=context.get("request_id") or context.get("task_id") or "",
            changes=changes,
            data=event.pgh_data or {},
        )


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
