"""Reminders' writes: the scheduler's tick (planning a day's reminders, noticing due-date
changes), the settings for everyone and each person's preferences.

Three stages, each testable on its own and each in a module of its own:

1. `reminders.digests.reminders_for_day(on=...)` works out who gets what, as plain data.
2. `reminders_plan(on=...)` here writes a Reminder row per (recipient, day, kind) and
   `due_date_notices_plan()` a DueDateNotice per due-date change and person to tell;
   `reminders_dispatch()` is the scheduler's tick that does both and queues whatever is
   waiting (`reminders.delivery.deliveries_enqueue_waiting`).
3. `reminders.delivery.reminder_send(reminder_id=...)` claims the row, works out that one
   person's email afresh, sends it (`reminders.emails`) and records it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts import permissions
from actions.models import DueDateChange
from reminders.delivery import deliveries_enqueue_waiting
from reminders.digests import reminders_for_day, sending_day, settings_for_reading
from reminders.models import (
    DueDateNotice,
    NoticedDueDateChange,
    Reminder,
    ReminderPreference,
    ReminderRun,
    ReminderSettings,
)


@dataclass
class DispatchReport:
    day: dt.date
    planned: int | None  # None: not planned on this tick (not time yet, or already done)
    enqueued: int
    notices: int = 0  # due-date notices recorded on this tick


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
    has passed on a sending day, records the notices for new due-date changes, and (every
    tick) puts on the queue whatever is waiting: new rows, rows whose task was lost, claims
    whose worker died, notices recorded while the broker was down. A day when nothing ran is
    covered by the next: digests list whatever is still due or overdue on the day they are
    sent, so nothing is lost by skipping a stale one."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    today = local.date()
    config = settings_for_reading()
    planned = None
    if sending_day(today, config) and local.time() >= config.send_time:
        planned = reminders_plan(on=today, config=config)
    notices = due_date_notices_plan(now=now, config=config)
    enqueued = deliveries_enqueue_waiting(now=now, today=today)
    return DispatchReport(day=today, planned=planned, enqueued=enqueued, notices=notices)


# Due-date changes older than this are never noticed: a notice is news, or nothing.
NOTICE_WINDOW = dt.timedelta(days=7)


def due_date_notices_plan(
    *, now: dt.datetime | None = None, config: ReminderSettings | None = None
) -> int:
    """Record the notices for every due-date change no tick has dealt with yet: one to the
    action's lead officer and one to its accountable senior manager, not to whoever made the
    change. Each change is marked noticed in the same transaction (with no notices when they
    are switched off or nobody else is to be told), so it is dealt with once; the unique
    (change, recipient) and the marker's primary key make a second, concurrent pass write
    nothing. Returns how many notices this pass recorded; the tick then queues them."""
    now = now or timezone.now()
    config = config or settings_for_reading()
    changes = (
        DueDateChange.objects.filter(changed_at__gte=now - NOTICE_WINDOW)
        .exclude(pk__in=NoticedDueDateChange.objects.values("change_id"))
        .order_by("pk")
        .values_list("pk", "changed_by_id", "action__owner_id", "action__accountable_id")
    )
    notices: list[DueDateNotice] = []
    marks: list[NoticedDueDateChange] = []
    for pk, changed_by, owner, accountable in changes:
        recipients = (
            sorted({owner, accountable} - {changed_by}) if config.notify_due_date_changes else []
        )
        notices += [DueDateNotice(change_id=pk, recipient_id=user) for user in recipients]
        marks.append(NoticedDueDateChange(change_id=pk, notices=len(recipients)))
    if not marks:
        return 0
    with transaction.atomic():
        DueDateNotice.objects.bulk_create(notices, ignore_conflicts=True)
        NoticedDueDateChange.objects.bulk_create(marks, ignore_conflicts=True)
    return len(notices)


# --- Settings and preferences -------------------------------------------------------------------


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
