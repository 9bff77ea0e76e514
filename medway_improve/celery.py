"""The Celery app, configured from Django settings (keys prefixed CELERY_).

Services queue tasks by name through `core.queue` (`enqueue`, `enqueue_on_commit`)."""

import os
from datetime import timedelta

from celery import Celery, signals
from celery.schedules import crontab
from django.conf import settings

from core import logs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medway_improve.settings")

app = Celery("medway_improve")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic job, declared here in one place (Europe/London, see CELERY_TIMEZONE).
# django-celery-beat does not support Django 6.1, so beat reads this dict.
app.conf.beat_schedule = {
    # Reminders go at the send time in the reminder settings (07:00 on working days unless a
    # lead changes it). The tick runs every five minutes so it can honour an edited time and
    # catch up after downtime; on each tick the job decides (cheaply) whether today's
    # reminders are due, and queues anything still waiting.
    "reminders-tick": {
        "task": "reminders.dispatch",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 240},
    },
    "imports-purge-pending-uploads": {
        "task": "imports.purge_pending_uploads",
        "schedule": crontab(hour=3, minute=15),
    },
    # Packs left queued (Redis was down at "Generate now") or rendering (the worker died)
    # too long are queued again, as the reminders tick does for reminders.
    "board-pack-requeue-stuck": {
        "task": "boardpacks.requeue_stuck",
        "schedule": timedelta(seconds=settings.BOARD_PACK_SWEEP_SECONDS),
        "options": {"expires": max(settings.BOARD_PACK_SWEEP_SECONDS - 10, 5)},
    },
    # The month's board pack, built and emailed to every board member.
    "board-pack-monthly": {
        "task": "boardpacks.build_monthly",
        "schedule": crontab(
            minute=0, hour=settings.BOARD_PACK_HOUR, day_of_month=settings.BOARD_PACK_DAY
        ),
    },
}


# Logs: a task's lines carry the request ID of the web request that queued it (or the
# task's own ID), so one ID follows the work from the web log into the worker log.
@signals.before_task_publish.connect(weak=False)
def _pass_request_id(headers=None, **kwargs):
    if headers is not None and logs.current_request_id() != "-":
        headers.setdefault("improve_request_id", logs.current_request_id())


@signals.task_prerun.connect(weak=False)
def _task_request_id(task_id=None, task=None, **kwargs):
    queued_by = getattr(task.request, "improve_request_id", None) if task else None
    logs.request_id_var.set(logs.clean_request_id(queued_by or task_id))
