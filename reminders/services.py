"""Reminders: who gets what (computed from plain data), and sending each email exactly once.

Three stages, each testable on its own:

1. `reminders_for_day(on=...)` works out every digest, escalation and weekly summary for a day
   in a constant number of queries (three: settings, people, actions, whatever the size).
2. `reminders_plan(on=...)` writes a Reminder row per (recipient, day, kind) — the unique key
   that makes "exactly once" a database fact — and `deliveries_enqueue` puts one small task per
   row on the queue. `reminders_dispatch()` is the scheduler's tick that does both.
3. `reminder_send(reminder_id=...)` claims the row, works out that one person's email afresh
   (so an action completed at 06:59 is not in the 07:00 email), sends it and records it.

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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.utils import parseaddr

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts import permissions
from accounts.models import Role, User
from actions.models import Action, DueDateChange, Rag
from reminders.models import (
    DeliveryStatus,
    DueDateNotice,
    Frequency,
    Kind,
    Reminder,
    ReminderPreference,
    ReminderRun,
    ReminderSettings,
    is_paused,
)
from reminders.working_days import is_working_day, week_start

logger = logging.getLogger(__name__)

# How many overdue actions a weekly summary lists before pointing to the full list.
SUMMARY_LIST_LIMIT = 100
# A task put on the queue but still waiting this long is put on again (a lost message).
REQUEUE_AFTER = dt.timedelta(minutes=45)
# After a failed publish, requests stop trying the broker for this long: the tick catches up.
BROKER_BACKOFF_SECONDS = 30.0


# --- 1. Who gets what: plain data ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DigestLine:
    """One action as a reminder shows it."""

    action_id: int
    reference: str
    title: str
    priority: int
    due_date: dt.date
    rag: str | None
    days_overdue: int  # 0 if not overdue
    owner_name: str

    @property
    def url(self) -> str:
        return settings.SITE_URL + reverse("actions:action_detail", args=[self.action_id])

    @property
    def rag_label(self) -> str:
        return Rag(self.rag).label if self.rag else "Not rated"

    @property
    def days_overdue_text(self) -> str:
        return f"{self.days_overdue} day{'s' if self.days_overdue != 1 else ''} overdue"


@dataclass(frozen=True, slots=True)
class OtherLine:
    """Something else waiting for the recipient: a board challenge to answer, or a risk
    whose review date has passed."""

    label: str
    detail: str
    due: dt.date
    path: str

    @property
    def url(self) -> str:
        return settings.SITE_URL + self.path


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    name: str
    email: str
    frequency: str
    paused: bool
    back_on: dt.date | None
    is_lead: bool

    def paused_on(self, day: dt.date) -> bool:
        return is_paused(self.paused, self.back_on, day)


@dataclass
class Digest:
    """One email to one person: their overdue and due-soon actions, an escalation, or the
    weekly summary. `date` is the Reminder key (the Monday for weekly kinds); `on` is the day
    the figures are worked out for."""

    kind: str
    date: dt.date
    on: dt.date
    recipient: Person
    due_within_days: int
    escalate_after_days: int
    overdue: list[DigestLine] = field(default_factory=list)
    due_soon: list[DigestLine] = field(default_factory=list)
    overdue_total: int = 0
    challenges: list[OtherLine] = field(default_factory=list)  # board challenges to answer
    risk_reviews: list[OtherLine] = field(default_factory=list)  # reviews past their date

    @property
    def action_count(self) -> int:
        return len(self.overdue) + len(self.due_soon)

    @property
    def is_empty(self) -> bool:
        # The weekly summary goes even when nothing is overdue: that is news too.
        return self.kind != Kind.LEAD_SUMMARY and not (
            self.action_count or self.challenges or self.risk_reviews
        )

    @property
    def due_soon_heading(self) -> str:
        return f"Due in the next {self.due_within_days} days"

    @property
    def overdue_by_priority(self) -> list[tuple[int, int]]:
        counts: dict[int, int] = {}
        for line in self.overdue:
            counts[line.priority] = counts.get(line.priority, 0) + 1
        return sorted(counts.items())

    @property
    def listed_overdue(self) -> list[DigestLine]:
        if self.kind == Kind.LEAD_SUMMARY:
            return sorted(self.overdue, key=lambda line: -line.days_overdue)[:SUMMARY_LIST_LIMIT]
        return self.overdue

    @property
    def subject(self) -> str:
        n_over, n_soon = len(self.overdue), len(self.due_soon)
        if self.kind == Kind.ESCALATION:
            return (
                f"Escalation: {_plural(n_over, 'action')} overdue by more than "
                f"{self.escalate_after_days} days"
            )
        if self.kind == Kind.LEAD_SUMMARY:
            return f"Weekly summary: {_plural(n_over, 'action')} overdue"
        parts = []
        if n_over:
            parts.append(f"{n_over} overdue")
        if n_soon:
            parts.append(f"{n_soon} due in the next {self.due_within_days} days")
        if self.challenges:
            parts.append(_plural(len(self.challenges), "board challenge") + " to answer")
        if self.risk_reviews:
            parts.append(_plural(len(self.risk_reviews), "risk review") + " overdue")
        prefix = (
            "Your improvement actions this week"
            if self.kind == Kind.WEEKLY_DIGEST
            else ("Your improvement actions")
        )
        return f"{prefix}: {' and '.join(parts)}"

    def describe(self) -> str:
        """One line for the operator's dry run."""
        refs = ", ".join(line.reference for line in [*self.overdue, *self.due_soon][:12])
        more = "" if self.action_count <= 12 else f" and {self.action_count - 12} more"
        counts = f"{len(self.overdue)} overdue"
        if self.kind in (Kind.DAILY_DIGEST, Kind.WEEKLY_DIGEST):
            counts += f", {len(self.due_soon)} due soon"
            counts += f", {len(self.challenges)} challenges, {len(self.risk_reviews)} risk reviews"
        return (
            f"{Kind(self.kind).label} to {self.recipient.name} <{self.recipient.email}>: "
            f"{counts}" + (f" ({refs}{more})" if refs else "")
        )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def settings_for_reading() -> ReminderSettings:
    """The settings without writing anything: the stored row, or the defaults."""
    return ReminderSettings.objects.filter(pk=ReminderSettings.SINGLETON_ID).first() or (
        ReminderSettings()
    )


def sending_day(day: dt.date, config: ReminderSettings) -> bool:
    return is_working_day(day) if config.working_days_only else True


def _people(*, only: int | None) -> dict[int, Person]:
    """Everyone who can receive email, with their preferences: one query."""
    lead_group = User.groups.through.objects.filter(
        user_id=OuterRef("pk"), group__name=Role.IMPROVEMENT_LEAD.value
    )
    rows = (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .annotate(is_lead=Exists(lead_group))
        .values(
            "id",
            "first_name",
            "last_name",
            "username",
            "email",
            "is_lead",
            "reminder_preference__frequency",
            "reminder_preference__paused",
            "reminder_preference__back_on",
        )
    )
    if only is not None:
        rows = rows.filter(pk=only)
    return {
        row["id"]: Person(
            id=row["id"],
            name=f"{row['first_name']} {row['last_name']}".strip() or row["username"],
            email=row["email"],
            frequency=row["reminder_preference__frequency"] or Frequency.DAILY,
            paused=bool(row["reminder_preference__paused"]),
            back_on=row["reminder_preference__back_on"],
            is_lead=row["is_lead"],
        )
        for row in rows
    }


def reminders_for_day(
    *,
    on: dt.date,
    config: ReminderSettings | None = None,
    recipient_id: int | None = None,
    kinds: Iterable[str] | None = None,
) -> list[Digest]:
    """Every reminder email for day `on`, as plain data, in a constant number of queries:
    settings (unless given), people, actions. `recipient_id` and `kinds` narrow it to one
    person's email (what a send task needs).

    - Daily or weekly digest to each lead officer (action owner) with open actions overdue or
      due within N days, unless they have paused reminders. Weekly ones are keyed to Monday.
    - Escalation to each accountable senior manager with actions overdue by more than M days
      (if escalation is on), whether or not anyone has paused reminders.
    - Weekly summary of everything overdue to each improvement lead (if switched on).
    """
    config = config or settings_for_reading()
    kinds = set(kinds or Kind.values)
    if not config.escalation_enabled:
        kinds.discard(Kind.ESCALATION)
    if not config.weekly_lead_summary:
        kinds.discard(Kind.LEAD_SUMMARY)
    if not kinds:
        return []
    people = _people(only=recipient_id)
    if not people:
        return []
    monday = week_start(on)
    horizon = on + dt.timedelta(days=config.due_within_days)

    actions = Action.objects.open().filter(due_date__lte=horizon).with_rag(on=on)
    if recipient_id is not None:
        wanted = Q(pk__in=[])
        if kinds & {Kind.DAILY_DIGEST, Kind.WEEKLY_DIGEST}:
            wanted |= Q(owner_id=recipient_id)
        if Kind.ESCALATION in kinds:
            wanted |= Q(accountable_id=recipient_id)
        if Kind.LEAD_SUMMARY in kinds:
            wanted |= Q(due_date__lt=on)
        actions = actions.filter(wanted)
    rows = actions.order_by("due_date", "reference").values_list(
        "id",
        "reference",
        "title",
        "priority__number",
        "due_date",
        "current_rag",
        "owner_id",
        "accountable_id",
        "owner__first_name",
        "owner__last_name",
        "owner__username",
    )

    digests: dict[tuple[int, str], Digest] = {}

    def digest(person: Person, kind: str) -> Digest:
        key = (person.id, kind)
        if key not in digests:
            digests[key] = Digest(
                kind=kind,
                date=monday if kind in Kind.weekly() else on,
                on=on,
                recipient=person,
                due_within_days=config.due_within_days,
                escalate_after_days=config.escalate_after_days,
            )
        return digests[key]

    leads = [p for p in people.values() if p.is_lead and not p.paused_on(on)]
    if Kind.LEAD_SUMMARY in kinds:
        for lead in leads:
            digest(lead, Kind.LEAD_SUMMARY)

    for pk, ref, title, priority, due, rag, owner_id, accountable_id, first, last, user in rows:
        overdue_days = (on - due).days
        line = DigestLine(
            action_id=pk,
            reference=ref,
            title=title,
            priority=priority,
            due_date=due,
            rag=rag,
            days_overdue=max(overdue_days, 0),
            owner_name=f"{first} {last}".strip() or user,
        )
        owner = people.get(owner_id)
        if owner is not None and not owner.paused_on(on):
            kind = Kind.WEEKLY_DIGEST if owner.frequency == Frequency.WEEKLY else Kind.DAILY_DIGEST
            if kind in kinds:
                mine = digest(owner, kind)
                (mine.overdue if overdue_days > 0 else mine.due_soon).append(line)
        if overdue_days > config.escalate_after_days and Kind.ESCALATION in kinds:
            manager = people.get(accountable_id)
            if manager is not None:
                digest(manager, Kind.ESCALATION).overdue.append(line)
        if overdue_days > 0 and Kind.LEAD_SUMMARY in kinds:
            for lead in leads:
                digests[(lead.id, Kind.LEAD_SUMMARY)].overdue.append(line)

    # The board's challenges waiting for an answer, and risks past their review date, go in
    # the same digest as the person's actions (two more queries, whatever the numbers).
    if kinds & {Kind.DAILY_DIGEST, Kind.WEEKLY_DIGEST}:
        for person_id, line in _other_lines(on=on, recipient_id=recipient_id):
            person = people.get(person_id)
            if person is None or person.paused_on(on):
                continue
            kind = Kind.WEEKLY_DIGEST if person.frequency == Frequency.WEEKLY else Kind.DAILY_DIGEST
            if kind in kinds:
                mine = digest(person, kind)
                (
                    mine.challenges if line.label.startswith("Challenge") else mine.risk_reviews
                ).append(line)

    result = [d for d in digests.values() if not d.is_empty]
    order = {kind: n for n, kind in enumerate(Kind.values)}
    result.sort(key=lambda d: (order[d.kind], d.recipient.name, d.recipient.id))
    return result


def _other_lines(*, on: dt.date, recipient_id: int | None) -> list[tuple[int, OtherLine]]:
    """(person id, line) for board challenges awaiting their answer and risks they own
    whose review date has passed."""
    from board.models import Challenge
    from risks.models import Risk

    challenges = Challenge.objects.awaiting_answer().select_related("action", "area__inspection")
    risks = Risk.objects.review_overdue(on=on)
    if recipient_id is not None:
        challenges = challenges.filter(assigned_to_id=recipient_id)
        risks = risks.filter(owner_id=recipient_id)
    lines = [
        (
            challenge.assigned_to_id,
            OtherLine(
                label=f"Challenge about {challenge.target_label}",
                detail=challenge.question,
                due=challenge.answer_due,
                path=challenge.get_absolute_url(),
            ),
        )
        for challenge in challenges.order_by("answer_due", "pk")
    ]
    lines += [
        (
            risk.owner_id,
            OtherLine(
                label=f"Risk {risk.reference}: {risk.title}",
                detail=f"Review was due on {risk.review_date:%-d %B %Y}.",
                due=risk.review_date,
                path=risk.get_absolute_url(),
            ),
        )
        for risk in risks.order_by("review_date", "pk")
    ]
    return lines


# --- 2. Planning and putting work on the queue ----------------------------------------------


@dataclass
class DispatchReport:
    day: dt.date
    planned: int | None  # None: not planned on this tick (not time yet, or already done)
    enqueued: int


def reminders_plan(
    *, on: dt.date, config: ReminderSettings | None = None, force: bool = False
) -> int | None:
    """Write the day's Reminder rows (pending). Returns how many digests were planned, or None
    if the day had already been planned (unless `force`, used by the operator's command, which
    adds anything missing). Rows that exist already are left as they are, sent or not."""
    config = config or settings_for_reading()
    with transaction.atomic():
        run, created = ReminderRun.objects.get_or_create(date=on)
        if not created and not force:
            return None
        digests = reminders_for_day(on=on, config=config)
        Reminder.objects.bulk_create(
            [Reminder(recipient_id=d.recipient.id, date=d.date, kind=d.kind) for d in digests],
            ignore_conflicts=True,
            batch_size=2000,
        )
        run.reminders_planned = len(digests)
        run.save(update_fields=["reminders_planned"])
    return len(digests)


def reminders_dispatch(*, now: dt.datetime | None = None) -> DispatchReport:
    """The scheduler's tick (every few minutes). Plans today's reminders once the send time
    has passed on a sending day, and (every tick) puts on the queue whatever is waiting: new
    rows, rows whose task was lost, claims whose worker died, notices saved while the broker
    was down. A day when nothing ran is covered by the next: digests list whatever is still
    due or overdue on the day they are sent, so nothing is lost by skipping a stale one."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    today = local.date()
    config = settings_for_reading()
    planned = None
    if sending_day(today, config) and local.time() >= config.send_time:
        planned = reminders_plan(on=today, config=config)
    enqueued = deliveries_enqueue_waiting(now=now, today=today)
    return DispatchReport(day=today, planned=planned, enqueued=enqueued)


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
    from reminders import tasks

    task, key = {
        Reminder: (tasks.send_reminder, "reminder_id"),
        DueDateNotice: (tasks.send_due_date_notice, "notice_id"),
    }[model]
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


def enqueue_on_commit(model, ids: list[int]) -> None:
    """After the current transaction commits, try to queue the rows' tasks. A broker error is
    logged, never raised: the save has happened and the rows wait for the next tick."""
    if ids:
        transaction.on_commit(lambda: deliveries_enqueue(model, ids), robust=True)


# --- 3. Claiming, sending, recording ------------------------------------------------------


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


def reminder_digest(reminder: Reminder, *, today: dt.date | None = None) -> Digest | None:
    """The email a Reminder row stands for, worked out now. None if nothing is left to say
    (all done, or the person paused reminders since it was planned)."""
    on = reminder.date
    if reminder.kind in Kind.weekly():
        today = today or timezone.localdate()
        on = min(max(today, reminder.date), reminder.date + dt.timedelta(days=6))
    found = reminders_for_day(on=on, recipient_id=reminder.recipient_id, kinds=[reminder.kind])
    return found[0] if found else None


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


# --- Emails ---------------------------------------------------------------------------------

_TEMPLATES = {
    Kind.DAILY_DIGEST: "reminders/email/digest",
    Kind.WEEKLY_DIGEST: "reminders/email/digest",
    Kind.ESCALATION: "reminders/email/escalation",
    Kind.LEAD_SUMMARY: "reminders/email/lead_summary",
}


def _mail_domain() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "improve.invalid"


def _message(*, subject: str, to: str, template: str, context: dict, message_key: str):
    context = {
        "site_url": settings.SITE_URL,
        "service_name": settings.SERVICE_NAME,
        "council_name": settings.COUNCIL_NAME,
        "preferences_url": settings.SITE_URL + reverse("reminders:preference_edit"),
        "subject": subject,
        **context,
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={
            # The same Message-ID on every attempt, so a repeat after a crash is recognisable.
            "Message-ID": f"<improve.{message_key}@{_mail_domain()}>",
            # Ask auto-responders (out of office) not to answer a robot.
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
        },
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


def digest_message(digest: Digest, *, message_key: str) -> EmailMultiAlternatives:
    return _message(
        subject=digest.subject,
        to=digest.recipient.email,
        template=_TEMPLATES[digest.kind],
        context={
            "digest": digest,
            "overdue_list_url": settings.SITE_URL + reverse("actions:action_list") + "?overdue=on",
        },
        message_key=message_key,
    )


def due_date_notice_message(change: DueDateChange, recipient: User, *, message_key: str):
    action = change.action
    return _message(
        subject=f"Due date changed: action {action.reference}",
        to=recipient.email,
        template="reminders/email/due_date_notice",
        context={
            "change": change,
            "action": action,
            "recipient": recipient,
            "action_url": settings.SITE_URL + action.get_absolute_url(),
        },
        message_key=message_key,
    )


# --- Writes from the web: settings, preferences, and the due-date change hook -------------


def due_date_notices_create(*, change: DueDateChange) -> list[DueDateNotice]:
    """Called inside the transaction that saves a due-date change: records a notice to the
    action's lead officer and accountable senior manager (not to whoever made the change) and
    queues them after commit. If the broker is down the save still succeeds; the notices wait
    and the scheduler's next tick queues them."""
    config = settings_for_reading()
    if not config.notify_due_date_changes:
        return []
    action = change.action
    recipients = {action.owner_id, action.accountable_id} - {change.changed_by_id}
    notices = DueDateNotice.objects.bulk_create(
        [DueDateNotice(change=change, recipient_id=pk) for pk in sorted(recipients)]
    )
    enqueue_on_commit(DueDateNotice, [n.pk for n in notices])
    return notices


@transaction.atomic
def reminder_settings_update(*, user, **values) -> ReminderSettings:
    if not permissions.can_manage_reminders(user):
        raise PermissionDenied("Only improvement leads and administrators change reminders.")
    row, _ = ReminderSettings.objects.select_for_update().get_or_create(
        pk=ReminderSettings.SINGLETON_ID
    )
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_by = user
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def reminder_preference_update(
    *, user, frequency: str, paused: bool, back_on: dt.date | None
) -> ReminderPreference:
    if not permissions.can_set_own_reminders(user):
        raise PermissionDenied
    preference, _ = ReminderPreference.objects.update_or_create(
        user=user,
        defaults={
            "frequency": frequency,
            "paused": paused,
            "back_on": back_on if paused else None,
        },
    )
    return preference


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
