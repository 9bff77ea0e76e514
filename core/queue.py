"""Queueing Celery tasks: the one way every service puts work on the queue.

A task is named by its stable name ("boardpacks.render"), so a service never imports its
own tasks module (which imports the service back). The task is looked up in the Celery
app's registry, not sent blindly with `send_task`, so that CELERY_TASK_ALWAYS_EAGER (tests,
the demo) still runs it in-process and the task's own options (route, time limits) apply.

If the broker is down the request does not fail: `enqueue` logs a warning naming the task
and returns False. Nothing is lost by that, because every piece of queued work is also
written down in the database and a periodic sweep finds what was never queued (see
docs/operations.md, "Queued work").
"""

from __future__ import annotations

import logging
from functools import partial

from celery import current_app
from celery.exceptions import NotRegistered
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger("improve.tasks")


def task_named(name: str):
    """The registered task called `name`. The apps' tasks modules are imported the first
    time a name is not found (a web process never imports them otherwise); a name that is
    still unknown raises NotRegistered, as a misspelt name should."""
    try:
        return current_app.tasks[name]
    except NotRegistered:
        # Import every installed app's tasks.py, as the worker does at start. (Not
        # `loader.import_default_modules()`: that also runs Django's system checks.)
        current_app.autodiscover_tasks(force=True)
        return current_app.tasks[name]


def enqueue(name: str, **kwargs) -> bool:
    """Queue the task called `name` with keyword arguments, now. Returns True once it is
    queued (or has run, in eager mode). If the broker is down, logs a warning with the
    task's name (and, through the log filter, the request ID) and returns False instead of
    failing the request: periodic sweeps find such work by looking at the data."""
    task = task_named(name)
    try:
        task.apply_async(kwargs=kwargs)
    except OperationalError as error:
        logger.warning(
            "Could not queue %s: the broker is unavailable (%s)",
            name,
            error,
            extra={"task": name},
        )
        return False
    return True


def enqueue_on_commit(name: str, **kwargs) -> None:
    """Queue the task called `name` once the current transaction commits (at once outside
    one), so a worker never looks for a row that is not saved yet and a rolled-back change
    queues nothing. A save never fails because the broker is down (see `enqueue`), and an
    error in one queued callback does not stop the others (`robust=True`)."""
    transaction.on_commit(partial(enqueue, name, **kwargs), robust=True)
