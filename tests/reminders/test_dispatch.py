"""The scheduler's tick: when a day's reminders are planned, and what goes on the real queue."""

import base64
import datetime as dt
import json
import time
from zoneinfo import ZoneInfo

import pytest
import redis
from django.utils import timezone

from accounts.models import Role
from reminders import services
from reminders.digests import reminder_digest
from reminders.models import DeliveryStatus, DueDateNotice, NoticedDueDateChange, Reminder
from tests.factories import (
    TODAY,
    ActionFactory,
    DueDateChangeFactory,
    ReminderFactory,
    ReminderRunFactory,
    ReminderSettingsFactory,
    UserFactory,
)
from tests.reminders.conftest import (
    MONDAY,
    broker_at,
    next_saturday,
    next_weekday_bank_holiday,
    next_working_day,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
DAY = dt.timedelta(days=1)


def at(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hh, mm, tzinfo=LONDON)


def queued(queue: str, settings) -> list[dict]:
    """The task messages waiting in the real broker's queue, decoded."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    messages = [json.loads(raw) for raw in client.lrange(queue, 0, -1)]
    for message in messages:
        message["kwargs"] = json.loads(base64.b64decode(message["body"]))[1]
    return messages


@pytest.fixture
def overdue(officer):
    return ActionFactory(
        owner=officer,
        start_date=TODAY - 60 * DAY,
        baseline_due_date=TODAY - 1 * DAY,
        due_date=TODAY - 1 * DAY,
    )


def test_nothing_is_planned_before_the_send_time(overdue, queue_name):
    report = services.reminders_dispatch(now=at(MONDAY, 6, 55))
    assert report.planned is None
    assert not Reminder.objects.exists()


def test_first_tick_after_the_send_time_plans_and_queues_one_task_each(
    overdue, queue_name, settings
):
    report = services.reminders_dispatch(now=at(MONDAY, 7, 0))
    assert report.planned == 1 and report.enqueued == 1
    (reminder,) = Reminder.objects.all()
    assert reminder.enqueued_at is not None
    (message,) = queued(queue_name, settings)
    assert message["headers"]["task"] == "reminders.send_reminder"
    # Later ticks the same day neither plan again nor queue it again.
    again = services.reminders_dispatch(now=at(MONDAY, 7, 5))
    assert (again.planned, again.enqueued) == (None, 0)
    assert len(queued(queue_name, settings)) == 1


def test_the_send_time_is_editable(overdue, queue_name):
    ReminderSettingsFactory(send_time=dt.time(9, 30))
    assert services.reminders_dispatch(now=at(MONDAY, 9, 25)).planned is None
    assert services.reminders_dispatch(now=at(MONDAY, 9, 30)).planned == 1


@pytest.mark.parametrize(
    "day,working",
    [
        (next_saturday(TODAY), False),
        (next_weekday_bank_holiday(TODAY), False),
        (next_working_day(TODAY), True),
    ],
    ids=["saturday", "bank-holiday", "working-day"],
)
def test_working_days_only_skips_weekends_and_bank_holidays(overdue, queue_name, day, working):
    planned = services.reminders_dispatch(now=at(day, 8)).planned
    assert (planned is not None) is working


def test_with_working_days_only_off_it_sends_at_weekends(overdue, queue_name):
    ReminderSettingsFactory(working_days_only=False)
    assert services.reminders_dispatch(now=at(next_saturday(TODAY), 8)).planned == 1


def test_a_day_the_scheduler_missed_is_covered_by_the_next(officer, queue_name):
    """Beat was down on Monday. Tuesday's digest lists what became overdue on Monday too."""
    monday_due = ActionFactory(
        owner=officer, start_date=TODAY - 60 * DAY, baseline_due_date=TODAY, due_date=TODAY
    )
    tuesday = MONDAY + DAY
    services.reminders_dispatch(now=at(tuesday, 11, 40))
    (reminder,) = Reminder.objects.all()
    assert reminder.date == tuesday
    digest = reminder_digest(reminder)
    assert [line.action_id for line in digest.overdue] == [monday_due.pk]


def test_lost_tasks_and_dead_claims_are_queued_again(officer, overdue, queue_name, settings):
    now = at(MONDAY, 10)
    lost = ReminderFactory(recipient=officer, date=MONDAY, enqueued_at=now - dt.timedelta(hours=2))
    dead = ReminderFactory(
        date=MONDAY,
        status=DeliveryStatus.SENDING,
        claimed_at=now - dt.timedelta(seconds=settings.REMINDERS_CLAIM_LEASE_SECONDS + 1),
    )
    busy = ReminderFactory(
        date=MONDAY, status=DeliveryStatus.SENDING, claimed_at=now - dt.timedelta(seconds=5)
    )
    ReminderFactory(date=MONDAY - DAY)  # yesterday's: stale, left alone
    ReminderRunFactory(date=MONDAY)

    services.reminders_dispatch(now=now)

    ids = sorted(m["kwargs"]["reminder_id"] for m in queued(queue_name, settings))
    assert ids == sorted([lost.pk, dead.pk])
    assert busy.pk not in ids


def test_with_the_broker_down_the_tick_queues_nothing_and_loses_nothing(overdue, queue_name):
    started = time.monotonic()
    with broker_at("redis://127.0.0.1:6390/0"):
        report = services.reminders_dispatch(now=at(MONDAY, 7, 1))
    assert time.monotonic() - started < 3
    assert (report.planned, report.enqueued) == (1, 0)
    assert Reminder.objects.get().enqueued_at is None  # the next tick will queue it
    assert services.reminders_dispatch(now=at(MONDAY, 7, 6)).enqueued == 1


def test_due_date_change_records_notices_for_the_other_people(as_user, officer, queue_name):
    from actions.services import Change, action_record_progress

    manager = UserFactory(role=Role.OFFICER)
    action = ActionFactory(owner=officer, accountable=manager)
    action_record_progress(
        user=officer,
        pk=action.pk,
        expected_version=action.version,
        change=Change(due_date=action.due_date + 10 * DAY, due_date_reason="Partner delay"),
    )
    assert services.due_date_notices_plan() == 1  # what the scheduler's tick calls
    (notice,) = DueDateNotice.objects.all()
    assert notice.recipient == manager  # not the officer who made the change
    assert timezone.now() - notice.created_at < dt.timedelta(minutes=1)


def test_the_tick_records_and_queues_notices_for_a_new_due_date_change(
    officer, queue_name, settings
):
    manager = UserFactory(role=Role.OFFICER)
    action = ActionFactory(owner=officer, accountable=manager)
    ReminderSettingsFactory(send_time=dt.time(23, 59))
    change = DueDateChangeFactory(action=action, changed_by=manager)

    report = services.reminders_dispatch()

    (notice,) = DueDateNotice.objects.all()
    assert (notice.change, notice.recipient) == (change, officer)
    assert report.notices == 1
    (message,) = queued(queue_name, settings)
    assert message["kwargs"] == {"notice_id": notice.pk}


def test_each_due_date_change_is_noticed_once_whatever_the_ticks(officer):
    manager = UserFactory(role=Role.OFFICER)
    action = ActionFactory(owner=officer, accountable=manager)
    DueDateChangeFactory(action=action, changed_by=UserFactory(role=Role.IMPROVEMENT_LEAD))

    assert services.due_date_notices_plan() == 2
    assert services.due_date_notices_plan() == 0
    assert sorted(DueDateNotice.objects.values_list("recipient_id", flat=True)) == sorted(
        [officer.pk, manager.pk]
    )


def test_a_change_nobody_else_needs_to_hear_about_is_marked_and_left(officer):
    action = ActionFactory(owner=officer, accountable=officer)
    change = DueDateChangeFactory(action=action, changed_by=officer)

    assert services.due_date_notices_plan() == 0
    assert NoticedDueDateChange.objects.get().change == change
    assert not DueDateNotice.objects.exists()


def test_with_notices_switched_off_a_change_is_marked_and_never_told(officer):
    ReminderSettingsFactory(notify_due_date_changes=False)
    manager = UserFactory(role=Role.OFFICER)
    DueDateChangeFactory(
        action=ActionFactory(owner=officer, accountable=manager), changed_by=officer
    )

    assert services.due_date_notices_plan() == 0
    ReminderSettingsFactory(notify_due_date_changes=True)
    assert services.due_date_notices_plan() == 0  # switching them back on is not retroactive
    assert NoticedDueDateChange.objects.count() == 1
    assert not DueDateNotice.objects.exists()


def test_a_due_date_change_older_than_a_week_is_not_news(officer):
    manager = UserFactory(role=Role.OFFICER)
    DueDateChangeFactory(
        action=ActionFactory(owner=officer, accountable=manager),
        changed_by=officer,
        changed_at=timezone.now() - services.NOTICE_WINDOW - dt.timedelta(minutes=1),
    )
    assert services.due_date_notices_plan() == 0
    assert not DueDateNotice.objects.exists()
