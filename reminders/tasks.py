"""Celery tasks for reminders: thin wrappers that take IDs and call `reminders.services` (the
tick) or `reminders.delivery` (sending one row).

Names are stable (they are what sits in the queue across deployments). Sending is idempotent
by data — the Reminder / DueDateNotice row is claimed in the database — so `acks_late`
redelivery after a crash, a duplicate message or a retry never sends twice. Only transient
mail errors (4xx replies, dropped connections, timeouts) are retried, a bounded number of
times with exponential backoff and jitter.
"""

from __future__ import annotations

import logging
import random
import uuid

from celery import shared_task
from django.conf import settings

from reminders import delivery, services
from reminders.models import DueDateNotice, Reminder

logger = logging.getLogger(__name__)

MAX_RETRIES = 6  # with the default 60 s base: about 1, 2, 4, 8, 16, 30 minutes
RETRY_CAP_SECONDS = 30 * 60


def _backoff(retries: int) -> float:
    base = settings.REMINDERS_RETRY_BASE_SECONDS
    return min(base * 2**retries, RETRY_CAP_SECONDS) * random.uniform(0.8, 1.2)  # noqa: S311


@shared_task(name="reminders.dispatch", ignore_result=True, acks_late=True, time_limit=240)
def dispatch() -> str:
    """The scheduler's tick: plan today's reminders when it is time, queue anything waiting."""
    report = services.reminders_dispatch()
    return f"{report.day}: planned {report.planned}, queued {report.enqueued}"


def _send(task, model, pk: int, send) -> str:
    # Unique per attempt: a redelivered copy of the same message is a different claimant.
    token = f"{task.request.id or 'local'}:{task.request.retries}:{uuid.uuid4().hex[:8]}"
    try:
        outcome = send(token=token)
    except delivery.TransientSendError as error:
        if task.request.retries >= task.max_retries:
            delivery.delivery_give_up(model, pk, error=str(error))
            logger.error(
                "%s %s: gave up after %d retries: %s", model.__name__, pk, task.max_retries, error
            )
            return delivery.Outcome.FAILED
        delivery.delivery_requeued(model, pk)
        raise task.retry(countdown=_backoff(task.request.retries), exc=error) from error
    if outcome is delivery.Outcome.BUSY:
        # Someone else holds the claim. If they finish, the retry finds it sent; if they died,
        # the retry comes after their lease has run out and takes over.
        if task.request.retries >= task.max_retries:
            return outcome
        delivery.delivery_requeued(model, pk)
        raise task.retry(countdown=delivery.delivery_busy_for(model, pk) + 1)
    return outcome


@shared_task(
    bind=True,
    name="reminders.send_reminder",
    ignore_result=True,
    acks_late=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=60,
    time_limit=90,  # must stay below REMINDERS_CLAIM_LEASE_SECONDS
)
def send_reminder(self, *, reminder_id: int) -> str:
    return _send(
        self,
        Reminder,
        reminder_id,
        lambda token: delivery.reminder_send(reminder_id=reminder_id, token=token),
    )


@shared_task(
    bind=True,
    name="reminders.send_due_date_notice",
    ignore_result=True,
    acks_late=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=60,
    time_limit=90,
)
def send_due_date_notice(self, *, notice_id: int) -> str:
    return _send(
        self,
        DueDateNotice,
        notice_id,
        lambda token: delivery.due_date_notice_send(notice_id=notice_id, token=token),
    )
