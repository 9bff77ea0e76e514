"""Putting reminder and notice rows on the queue, and sending each exactly once.

A Reminder row (one per recipient, day and kind) or a DueDateNotice row (one per due-date
change and recipient) is the unique key that makes "exactly once" a database fact.
`deliveries_enqueue` puts one small task per row on the queue; `reminder_send(reminder_id=...)`
and `due_date_notice_send(notice_id=...)` claim the row, work out its email afresh, send it
and record it.

The crash between sending and recording
---------------------------------------
A worker claims a row (status "sending", committed) before it talks to the mail server and
marks it "sent" after the server has said yes. If the worker dies in between, nobody can know
whether the server accepted the message. We chose **at least once** for that window: when the
claim's lease has run out (longer than the send task's hard time limit, so the first attempt
is certainly dead), another worker may claim the row and send again. Why: the window is a few
milliseconds around one SMTP exchange; a lost reminder is silent and is the failure this
feature exists to prevent, while a repeat is visible, harmless and carries the same
Message-ID, so many mail systems fold it into the first. Every other path — a retried task, a
redelivered message, two workers, the operator's command running alongside the workers —
finds the row "sent" or claimed and sends nothing.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import smtplib
import time
from collections.abc import Callable

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db.models import Count, F, Q
from django.utils import timezone

from actions.models import DueDateChange
from core import queue
from reminders.digests import reminder_digest
from reminders.emails import digest_message, due_date_notice_message
from reminders.models import DeliveryStatus, DueDateNotice, Kind, Reminder
from reminders.working_days import week_start

logger = logging.getLogger(__name__)

# A task put on the queue but still waiting this long is put on again (a lost message).
REQUEUE_AFTER = dt.timedelta(minutes=45)
# After a failed publish, requests stop trying the broker for this long: the tick catches up.
BROKER_BACKOFF_SECONDS = 30.0


# --- Putting work on the queue ------------------------------------------------------------


def _waiting(model, *, now: dt.datetime):
    lease = dt.timedelta(seconds=settings.REMINDERS_CLAIM_LEASE_SECONDS)
    return model.objects.filter(
        Q(status=DeliveryStatus.PENDING)
        & (Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - REQUEUE_AFTER))
        | Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - lease)
    )


def deliveries_enqueue_waiting(*, now: dt.datetime, today: dt.date) -> int:
    """Queue a send task for every row that is waiting: today's and this week's reminders,
    and due-date notices from the last week."""
    reminder_ids = list(
        _waiting(Reminder, now=now)
        .filter(Q(date=today) | Q(date=week_start(today), kind__in=Kind.weekly()))
        .values_list("pk", flat=True)
    )
    notice_ids = list(
        _waiting(DueDateNotice, now=now)
        .filter(created_at__gte=now - dt.timedelta(days=7))
        .values_list("pk", flat=True)
    )
    return deliveries_enqueue(Reminder, reminder_ids, force=True, now=now) + deliveries_enqueue(
        DueDateNotice, notice_ids, force=True, now=now
    )


_broker_down_until = 0.0


def deliveries_enqueue(
    model, ids: list[int], *, force: bool = False, now: dt.datetime | None = None
) -> int:
    """Put one send task per row on the queue. Never raises for a broker that is down or slow
    (the broker's socket timeouts bound the wait): it logs, and the rows stay waiting for the
    scheduler's next tick. After a failure, web requests skip the broker for a short while so
    each save does not pay the timeout again; the tick (`force`) always tries."""
    global _broker_down_until
    if not ids:
        return 0
    if not force and time.monotonic() < _broker_down_until:
        logger.warning("Broker was down moments ago: %s %s left for the next tick", model, ids)
        return 0
    name, key = {
        Reminder: ("reminders.send_reminder", "reminder_id"),
        DueDateNotice: ("reminders.send_due_date_notice", "notice_id"),
    }[model]
    task = queue.task_named(name)
    published: list[int] = []
    try:
        with task.app.producer_or_acquire() as producer:
            for pk in ids:
                task.apply_async(
                    kwargs={key: pk}, queue=settings.REMINDERS_QUEUE, producer=producer
                )
                published.append(pk)
    except Exception as error:  # noqa: BLE001 - any broker failure must not break the caller
        _broker_down_until = time.monotonic() + BROKER_BACKOFF_SECONDS
        logger.warning(
            "Could not queue %d %s task(s) (%s: %s); the reminder scheduler will retry",
            len(ids) - len(published),
            model._meta.model_name,
            type(error).__name__,
            error,
        )
    else:
        _broker_down_until = 0.0
    if published:
        # The tick's own clock, so its next run compares like with like.
        model.objects.filter(pk__in=published).update(enqueued_at=now or timezone.now())
    return len(published)


# --- Claiming, sending, recording ---------------------------------------------------------


class Outcome(enum.StrEnum):
    SENT = "sent"
    ALREADY_DONE = "already done"
    NOTHING_TO_SEND = "nothing to send"
    BUSY = "being sent by another worker"
    FAILED = "failed"


class TransientSendError(Exception):
    """The mail server refused for now or did not answer: try again later."""


def delivery_claim(model, pk: int, *, token: str, now: dt.datetime | None = None) -> bool:
    """Claim a row for sending: one UPDATE that only one worker can win. A row can be claimed
    when it is waiting, or when an earlier claim's lease has run out (its worker died).

    PostgreSQL re-checks the WHERE clause after waiting for a competing UPDATE's row lock, so
    of two workers racing, exactly one sees a row count of 1."""
    now = now or timezone.now()
    lease = dt.timedelta(seconds=settings.REMINDERS_CLAIM_LEASE_SECONDS)
    claimed = (
        model.objects.filter(pk=pk)
        .filter(
            Q(status=DeliveryStatus.PENDING)
            | Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - lease)
        )
        .update(
            status=DeliveryStatus.SENDING,
            claimed_at=now,
            claimed_by=token[:100],
            attempts=F("attempts") + 1,
        )
    )
    return claimed == 1


def delivery_release(model, pk: int, *, token: str, status: str, **fields) -> bool:
    """Record the outcome of our claim. Only the claim's holder can do it."""
    return bool(
        model.objects.filter(pk=pk, status=DeliveryStatus.SENDING, claimed_by=token[:100]).update(
            status=status, **fields
        )
    )


def delivery_busy_for(model, pk: int) -> float:
    """Seconds until another worker's claim on the row runs out (0 if it has)."""
    claimed_at = model.objects.filter(pk=pk).values_list("claimed_at", flat=True).first()
    if claimed_at is None:
        return 0.0
    ends = claimed_at + dt.timedelta(seconds=settings.REMINDERS_CLAIM_LEASE_SECONDS)
    return max((ends - timezone.now()).total_seconds(), 0.0)


def is_transient(error: BaseException) -> bool:
    """Worth retrying: a 4xx reply, a dropped connection or a timeout (ours included: the
    task's soft time limit). A 5xx is final."""
    if isinstance(error, SoftTimeLimitExceeded):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return isinstance(error, smtplib.SMTPServerDisconnected | OSError)


def _deliver(
    model,
    pk: int,
    *,
    token: str,
    build: Callable[[object], EmailMultiAlternatives | None],
    connection=None,
) -> Outcome:
    if not delivery_claim(model, pk, token=token):
        status = model.objects.filter(pk=pk).values_list("status", flat=True).first()
        if status == DeliveryStatus.SENDING:
            return Outcome.BUSY
        if status == DeliveryStatus.FAILED:
            return Outcome.FAILED
        return Outcome.ALREADY_DONE  # sent, nothing to send, or deleted
    row = model.objects.select_related("recipient").get(pk=pk)
    try:
        message = build(row)
    except Exception as error:
        delivery_release(
            model, pk, token=token, status=DeliveryStatus.PENDING, last_error=repr(error)
        )
        raise
    if message is None:
        delivery_release(model, pk, token=token, status=DeliveryStatus.NOTHING_TO_SEND)
        return Outcome.NOTHING_TO_SEND
    try:
        if connection is None:
            with mailers["default"] as mailer:
                mailer.send_messages([message])
        else:
            connection.send_messages([message])
    except Exception as error:
        transient = is_transient(error)
        delivery_release(
            model,
            pk,
            token=token,
            status=DeliveryStatus.PENDING if transient else DeliveryStatus.FAILED,
            last_error=f"{type(error).__name__}: {error}"[:2000],
        )
        if transient:
            raise TransientSendError(str(error)) from error
        logger.error("Mail server refused %s %s for good: %s", model._meta.model_name, pk, error)
        return Outcome.FAILED
    # Between the server's "250 OK" above and this commit is the window described at the top
    # of this module: if we die here, the lease runs out and the row is sent again.
    if not delivery_release(
        model, pk, token=token, status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error=""
    ):
        logger.warning("%s %s: claim lost before recording the send", model._meta.model_name, pk)
    return Outcome.SENT


def delivery_give_up(model, pk: int, *, error: str) -> None:
    """After the last retry: mark a waiting row failed, so it shows on the settings page."""
    model.objects.filter(pk=pk, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.FAILED, last_error=error[:2000]
    )


def delivery_requeued(model, pk: int) -> None:
    model.objects.filter(pk=pk).update(enqueued_at=timezone.now())


def reminder_send(*, reminder_id: int, token: str, connection=None) -> Outcome:
    """Send one Reminder exactly once (see the module docstring for the crash window).
    Raises TransientSendError when the mail server should be tried again later."""

    def build(reminder):
        digest = reminder_digest(reminder)
        if digest is None:
            return None
        Reminder.objects.filter(pk=reminder.pk).update(action_count=digest.action_count)
        return digest_message(digest, message_key=f"reminder.{reminder.pk}")

    return _deliver(Reminder, reminder_id, token=token, build=build, connection=connection)


def due_date_notice_send(*, notice_id: int, token: str, connection=None) -> Outcome:
    def build(notice):
        change = DueDateChange.objects.select_related("action", "changed_by").get(
            pk=notice.change_id
        )
        if not notice.recipient.is_active or not notice.recipient.email:
            return None
        return due_date_notice_message(change, notice.recipient, message_key=f"notice.{notice.pk}")

    return _deliver(DueDateNotice, notice_id, token=token, build=build, connection=connection)


def delivery_log(*, days: int = 7, today: dt.date | None = None) -> list[dict]:
    """Counts of reminders by day, kind and status for the settings page: one query."""
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=days)
    rows = (
        Reminder.objects.filter(date__gt=since)
        .values("date", "kind", "status")
        .annotate(count=Count("pk"))
        .order_by("-date", "kind", "status")
    )
    return [
        row
        | {
            "kind_label": Kind(row["kind"]).label,
            "status_label": DeliveryStatus(row["status"]).label,
        }
        for row in rows
    ]
