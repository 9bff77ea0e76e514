"""Where a change came from. Every audited write is grouped under a context that says who
made it and from where; the audit trail shows these next to each change.

- Web requests: `audit.middleware.AuditContextMiddleware` records the person, the address,
  the request ID and source "web" (or "admin" for the admin site).
- Celery tasks: every task runs under source "task" with its name and ID (signals below).
- Imports, management commands and scripts say so themselves:

    from audit.context import audit_source

    with audit_source("import", file=upload.name):
        ...                                   # every write in here is marked "import"

    @audit_source("command", command="load_demo")
    def handle(self, *args, **options): ...

A change made outside the app (psql, another program) has no context at all: the trail
shows it as "Database (outside the app)".
"""

from __future__ import annotations

from typing import Any

import pghistory

SOURCES = {
    "web": "Web",
    "admin": "Admin site",
    "task": "Background task",
    "import": "Import",
    "command": "Command line",
}
OUTSIDE_APP = "Database (outside the app)"


class audit_source(pghistory.context):  # noqa: N801 - used like a function, as pghistory.context is
    """Context manager and decorator marking the writes inside it with a source
    ("web", "admin", "task", "import" or "command") and any extra details."""

    def __init__(self, source: str, **metadata: Any):
        if source not in SOURCES:
            raise ValueError(f"Unknown audit source {source!r}: use one of {', '.join(SOURCES)}")
        super().__init__(source=source, **metadata)


def source_label(context: dict | None) -> str:
    if not context:
        return OUTSIDE_APP
    return SOURCES.get(context.get("source", ""), context.get("source") or "Web")


# --- Celery: each task runs inside its own audit context ---------------------------------

_task_contexts: dict[str, audit_source] = {}


def _task_started(sender=None, task_id=None, task=None, **kwargs) -> None:
    context = audit_source("task", task=getattr(task, "name", str(sender)), task_id=task_id)
    context.__enter__()
    _task_contexts[task_id] = context


def _task_finished(sender=None, task_id=None, **kwargs) -> None:
    context = _task_contexts.pop(task_id, None)
    if context is not None:
        context.__exit__(None, None, None)


def connect_task_signals() -> None:
    from celery import signals

    signals.task_prerun.connect(_task_started, weak=False, dispatch_uid="audit_task_started")
    signals.task_postrun.connect(_task_finished, weak=False, dispatch_uid="audit_task_finished")
