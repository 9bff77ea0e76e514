"""Fault tests against the real services: Redis as the broker, a real Celery worker, a real
SMTP server on loopback. Each asserts on the emails the SMTP server actually received."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from reminders import tasks
from reminders.models import DeliveryStatus, DueDateNotice, Reminder
from tests.factories import (
    ActionFactory,
    ReminderFactory,
    ReminderRunFactory,
    ReminderSettingsFactory,
    UserFactory,
)
from tests.reminders.conftest import broker_at, wait_until, worker_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DAY = dt.timedelta(days=1)


def overdue_reminder(owner=None) -> Reminder:
    """A committed daily reminder for today, for someone with an overdue action."""
    today = timezone.localdate()
    owner = owner or UserFactory(role=Role.OFFICER)
    ActionFactory(
        owner=owner,
        start_date=today - 60 * DAY,
        baseline_due_date=today - 3 * DAY,
        due_date=today - 3 * DAY,
    )
    return ReminderFactory(recipient=owner, date=today)


def send(reminder: Reminder, queue: str, **options):
    return tasks.send_reminder.apply_async(
        kwargs={"reminder_id": reminder.pk}, queue=queue, **options
    )


def settle(seconds: float = 0.6) -> None:
    """Give a wrongly repeated send the time it would need to show up."""
    time.sleep(seconds)


def test_refused_then_accepted_is_retried_with_backoff_and_delivered_once(
    smtp, celery_worker, queue_name, fast_retries
):
    smtp.refuse_rcpt.append("451 4.7.1 Greylisted, please try again")
    smtp.refuse_data.append("421 4.3.2 Service shutting down")
    reminder = overdue_reminder()

    send(reminder, queue_name)

    (message,) = smtp.wait_for(1)
    settle()
    assert len(smtp.messages) == 1
    assert message["To"] == reminder.recipient.email
    assert message["Subject"] == "Your improvement actions: 1 overdue"
    reminder.refresh_from_db()
    assert reminder.status == DeliveryStatus.SENT
    assert reminder.attempts == 3


def test_a_mail_server_that_does_not_answer_times_out_and_is_retried(
    smtp, settings, celery_worker, queue_name, fast_retries
):
    settings.MAILERS["default"]["OPTIONS"]["timeout"] = 1
    smtp.stall_ehlo.append(1.5)
    reminder = overdue_reminder()
    started = time.monotonic()

    send(reminder, queue_name)

    smtp.wait_for(1)
    settle()
    assert len(smtp.messages) == 1
    assert time.monotonic() - started < 10
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == (DeliveryStatus.SENT, 2)


def test_a_permanent_refusal_is_not_retried(smtp, celery_worker, queue_name, fast_retries):
    smtp.refuse_rcpt.extend(["550 5.1.1 No such user"] * 3)
    reminder = overdue_reminder()

    send(reminder, queue_name)

    assert wait_until(lambda: Reminder.objects.get(pk=reminder.pk).status == "failed")
    settle()
    reminder.refresh_from_db()
    assert reminder.attempts == 1
    assert "550" in reminder.last_error
    assert smtp.messages == [] and len(smtp.refuse_rcpt) == 2


def test_the_same_task_delivered_twice_sends_one_email(smtp, celery_worker, queue_name):
    reminder = overdue_reminder()
    task_id = str(uuid.uuid4())

    send(reminder, queue_name, task_id=task_id)
    send(reminder, queue_name, task_id=task_id)  # as the broker redelivers: same message again
    send(reminder, queue_name)  # and a second, separate task for the same reminder

    smtp.wait_for(1)
    assert wait_until(lambda: not _queue_busy(queue_name))
    settle()
    assert len(smtp.messages) == 1


def _queue_busy(queue_name: str) -> bool:
    import redis
    from django.conf import settings

    return bool(redis.Redis.from_url(settings.CELERY_BROKER_URL).llen(queue_name))


def test_calling_the_task_twice_sends_one_email(smtp):
    reminder = overdue_reminder()
    first = tasks.send_reminder.apply(kwargs={"reminder_id": reminder.pk})
    second = tasks.send_reminder.apply(kwargs={"reminder_id": reminder.pk})
    assert (first.get(), second.get()) == ("sent", "already done")
    assert len(smtp.messages) == 1


def test_after_the_last_retry_the_reminder_is_marked_failed(smtp):
    smtp.refuse_data.append("451 4.3.0 Try later")
    reminder = overdue_reminder()
    result = tasks.send_reminder.apply(
        kwargs={"reminder_id": reminder.pk}, retries=tasks.MAX_RETRIES
    )
    assert result.get() == "failed"
    reminder.refresh_from_db()
    assert reminder.status == DeliveryStatus.FAILED and "451" in reminder.last_error
    assert smtp.messages == []


def test_the_tick_fans_out_one_email_per_person_and_kind_once(smtp, celery_worker, queue_name):
    ReminderSettingsFactory(send_time=dt.time(0, 0), working_days_only=False)
    manager = UserFactory(role=Role.OFFICER)
    owners = [UserFactory(role=Role.OFFICER) for _ in range(3)]
    today = timezone.localdate()
    for n, owner in enumerate(owners):
        for days in (-20 - n, -1, 2):
            ActionFactory(
                owner=owner,
                accountable=manager,
                start_date=today - 90 * DAY,
                baseline_due_date=today + days * DAY,
                due_date=today + days * DAY,
            )

    tasks.dispatch.apply_async(queue=queue_name)

    messages = smtp.wait_for(4)
    tasks.dispatch.apply_async(queue=queue_name)  # a second tick the same day
    settle(1.0)
    assert sorted(smtp.to()) == sorted([o.email for o in owners] + [manager.email])
    escalation = next(m for m in messages if m["To"] == manager.email)
    assert escalation["Subject"] == "Escalation: 3 actions overdue by more than 14 days"
    assert set(Reminder.objects.values_list("status", flat=True)) == {"sent"}


def test_redis_down_the_save_still_succeeds_promptly_and_the_work_follows(
    smtp, as_user, officer, queue_name
):
    manager = UserFactory(role=Role.OFFICER)
    action = ActionFactory(owner=officer, accountable=manager)
    ReminderRunFactory(date=timezone.localdate())  # today's digests are not the point
    prefix = f"a{action.pk}-"
    new_due = action.due_date + 14 * DAY
    form = {
        prefix + "version": action.version,
        prefix + "status": action.status,
        prefix + "percent_complete": action.percent_complete,
        prefix + "due_date": new_due.isoformat(),
        prefix + "due_date_reason": "The partner agency's data arrives late",
        prefix + "rag_override": "",
    }

    with broker_at("redis://127.0.0.1:6390/0"):  # nothing listens there
        started = time.monotonic()
        response = as_user(officer).post(reverse("actions:action_update", args=[action.pk]), form)
        elapsed = time.monotonic() - started

    assert response.status_code == 302
    assert elapsed < 3, f"the save took {elapsed:.1f} s with the broker down"
    print(f"save with the broker down answered in {elapsed:.2f} s")
    action.refresh_from_db()
    assert action.due_date == new_due
    # The scheduler's tick records the notice from the due-date change; the broker is still
    # down, so it waits on the database.
    with broker_at("redis://127.0.0.1:6390/0"):
        tasks.dispatch.apply()
    notice = DueDateNotice.objects.get()
    assert (notice.recipient, notice.status, notice.enqueued_at) == (manager, "pending", None)

    # The broker is back: the scheduler's next tick picks the notice up.
    with worker_for(queue_name):
        tasks.dispatch.apply_async(queue=queue_name)
        (message,) = smtp.wait_for(1)
        settle()
    assert len(smtp.messages) == 1
    assert message["To"] == manager.email
    assert message["Subject"] == f"Due date changed: action {action.reference}"
    body = message.get_payload(0).get_payload(decode=True).decode()
    assert "The partner agency's data arrives late" in body
    notice.refresh_from_db()
    assert notice.status == DeliveryStatus.SENT


def _subprocess_env(smtp_port: int, queue: str) -> dict:
    from django.conf import settings

    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return os.environ | {
        "DATABASE_URL": f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "SMTP_TIMEOUT": "10",
        "REMINDERS_QUEUE": queue,
        "PYTHONUNBUFFERED": "1",
    }


def test_a_worker_killed_mid_send_is_finished_by_another_worker_once(smtp, queue_name, settings):
    """A separate worker process claims the reminder and starts the SMTP transaction; the
    server holds the message before accepting it; we SIGKILL the worker (no clean-up, no ack).
    The broker keeps the unacknowledged message; a second worker restores it, waits out the dead
    worker's claim lease, and sends. The server ends with exactly one message.

    What it proves: a crash after claiming and before the server accepted loses nothing and
    sends once. (A crash after the server accepted but before the row says "sent" would send
    again: the at-least-once side we chose; see reminders/services.py.)"""
    reminder = overdue_reminder()
    smtp.hold_next = True
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "medway_improve",
            "worker",
            "--pool=solo",
            f"--queues={queue_name}",
            f"--hostname=doomed-{uuid.uuid4().hex[:6]}@%h",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "--loglevel=INFO",
        ],
        env=_subprocess_env(smtp.port, queue_name),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    ready = threading.Event()

    def read():
        for line in worker.stdout:
            output.append(line)
            if " ready." in line:
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        assert ready.wait(60), "".join(output)
        send(reminder, queue_name)
        assert smtp.holding.wait(30), "".join(output)
        reminder.refresh_from_db()
        assert reminder.status == DeliveryStatus.SENDING  # claimed, mid-send
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)
    assert smtp.messages == []  # the held message died with its connection

    # A second worker. Short broker visibility timeout and claim lease, so the test is quick.
    settings.REMINDERS_CLAIM_LEASE_SECONDS = 2
    from medway_improve.celery import app

    saved = app.conf.broker_transport_options
    app.conf.broker_transport_options = saved | {
        "visibility_timeout": 1,
        "unacked_restore_throttle": 1,
    }
    try:
        time.sleep(1.2)  # the message is now older than the visibility timeout
        with worker_for(queue_name):
            (message,) = smtp.wait_for(1, timeout=30)
            settle(1.5)
    finally:
        app.conf.broker_transport_options = saved
    assert len(smtp.messages) == 1
    assert message["To"] == reminder.recipient.email
    reminder.refresh_from_db()
    assert reminder.status == DeliveryStatus.SENT
    assert reminder.attempts == 2
