"""Reminders: the settings, each person's preferences, and a record of every email sent.

The records are how "exactly once" is kept. Each email about to be sent is first a row here
with a unique key (a Reminder per recipient, day and kind; a DueDateNotice per due-date change
and recipient). A worker claims the row in the database before it talks to the mail server and
marks it sent afterwards; a second worker, a redelivered task or an operator's command that
finds the row sent, or claimed by someone still within the lease, sends nothing. See
`reminders.delivery.delivery_claim` for the claim and for what happens on a crash between
sending and recording.
"""

from __future__ import annotations

import datetime as dt

import pghistory
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


def default_send_time() -> dt.time:
    """07:00. A function, not a fixed time: Django's check for fixed date and time defaults
    (fields.W161) warns about a fixed time during the ten seconds either side of it each
    day, and the warning would land in the output of `send_reminders`."""
    return dt.time(7, 0)


@pghistory.track()
class ReminderSettings(models.Model):
    """The one row of settings for everyone, changed by an improvement lead or administrator."""

    SINGLETON_ID = 1

    due_within_days = models.PositiveSmallIntegerField(
        "Remind people about actions due within",
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="Number of days, from 1 to 60. Overdue actions are always included.",
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        "Tell the accountable senior manager when an action is overdue by more than",
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Number of days, from 1 to 365.",
    )
    send_time = models.TimeField(
        "Send reminders at",
        default=default_send_time,
        help_text="UK time, 24-hour clock, for example 07:00.",
    )
    working_days_only = models.BooleanField(
        "Send on working days only",
        default=True,
        help_text="Monday to Friday, not bank holidays in England.",
    )
    escalation_enabled = models.BooleanField(
        "Send escalations to accountable senior managers", default=True
    )
    weekly_lead_summary = models.BooleanField(
        "Send improvement leads a weekly summary of everything overdue",
        default=True,
        help_text="On the first working day of each week.",
    )
    notify_due_date_changes = models.BooleanField(
        "Tell the lead officer and accountable senior manager when a due date changes",
        default=True,
        help_text="Sent within five minutes to whichever of them did not make the change.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "reminder settings"
        verbose_name_plural = "reminder settings"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="reminder_settings_singleton"),
            models.CheckConstraint(
                condition=Q(due_within_days__gte=1, due_within_days__lte=60),
                name="reminder_settings_due_within_1_to_60",
            ),
            models.CheckConstraint(
                condition=Q(escalate_after_days__gte=1, escalate_after_days__lte=365),
                name="reminder_settings_escalate_1_to_365",
            ),
        ]

    def __str__(self) -> str:
        return "Reminder settings"

    @classmethod
    def load(cls) -> ReminderSettings:
        """The settings row (one query; created with the defaults if missing)."""
        row, _ = cls.objects.get_or_create(pk=cls.SINGLETON_ID)
        return row


class Frequency(models.TextChoices):
    DAILY = "daily", "Every working day"
    WEEKLY = "weekly", "Once a week, on the first working day"


@pghistory.track()
class ReminderPreference(models.Model):
    """How one person wants their own digests. Escalations ignore the pause: they are about
    other people's actions and the accountable manager's duty to know."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="reminder_preference",
    )
    frequency = models.CharField(
        "How often do you want reminders?",
        max_length=10,
        choices=Frequency.choices,
        default=Frequency.DAILY,
    )
    paused = models.BooleanField(
        "Pause my reminders while I am on leave",
        default=False,
        help_text="Escalations about actions you are accountable for still come.",
    )
    back_on = models.DateField(
        "Date you are back (optional)",
        null=True,
        blank=True,
        help_text="Your reminders start again on this day. Leave it empty to restart them "
        "yourself.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(frequency__in=Frequency.values), name="reminder_pref_frequency_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Reminder preference of {self.user}"

    def is_paused_on(self, day: dt.date) -> bool:
        return is_paused(self.paused, self.back_on, day)


def is_paused(paused: bool, back_on: dt.date | None, day: dt.date) -> bool:
    return paused and (back_on is None or day < back_on)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to send"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    NOTHING_TO_SEND = "nothing", "Nothing to send"
    FAILED = "failed", "Failed"


class Delivery(models.Model):
    """What the reminder rows and the notice rows share: the claim and its outcome."""

    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    enqueued_at = models.DateTimeField(
        null=True, blank=True, help_text="When a task to send it was last put on the queue."
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    action_count = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        abstract = True


class Kind(models.TextChoices):
    DAILY_DIGEST = "daily", "Daily digest"
    WEEKLY_DIGEST = "weekly", "Weekly digest"
    ESCALATION = "escalation", "Escalation"
    LEAD_SUMMARY = "lead_summary", "Weekly summary for improvement leads"

    @classmethod
    def weekly(cls) -> list[str]:
        return [cls.WEEKLY_DIGEST, cls.LEAD_SUMMARY]


class Reminder(Delivery):
    """One reminder email: at most one per recipient, day and kind. Weekly kinds use the
    Monday of their week as the day, so they too go once whatever day they are sent."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    date = models.DateField(help_text="The day it is for; the Monday for weekly kinds.")
    kind = models.CharField(max_length=20, choices=Kind.choices)

    class Meta:
        ordering = ["-date", "kind", "recipient_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "date", "kind"], name="reminder_once_per_recipient_day_kind"
            ),
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="reminder_status_valid"
            ),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="reminder_kind_valid"),
        ]
        indexes = [models.Index(fields=["date", "status"], name="reminder_date_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient_id} on {self.date}"


class ReminderRun(models.Model):
    """Marks that a day's reminders were planned, so later ticks of the scheduler only retry
    and do not plan again. Planning and this row are written in one transaction."""

    date = models.DateField(unique=True)
    planned_at = models.DateTimeField(auto_now_add=True)
    reminders_planned = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"Reminders planned for {self.date}"


class DueDateNotice(Delivery):
    """An email telling someone that an action's due date changed: one per change and
    recipient. The reminders tick writes it, from the due-date change the action recorded, so it
    is the durable record of work to do even when the broker is down."""

    change = models.ForeignKey(
        "actions.DueDateChange", on_delete=models.CASCADE, related_name="notices"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="due_date_notices"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["change", "recipient"], name="due_date_notice_once_per_change_recipient"
            ),
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="due_date_notice_status_valid"
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="due_date_notice_open_idx",
                condition=Q(status__in=["pending", "sending"]),
            )
        ]

    def __str__(self) -> str:
        return f"Due date notice {self.pk} to {self.recipient_id}"


class NoticedDueDateChange(models.Model):
    """Marks a due-date change the reminders tick has dealt with: its notices are recorded (or
    there was nobody to tell, or notices were switched off), so it is looked at once. Written
    in the same transaction as the notices; the primary key makes a second pass a no-op."""

    change = models.OneToOneField(
        "actions.DueDateChange", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    noticed_at = models.DateTimeField(auto_now_add=True)
    notices = models.PositiveSmallIntegerField(default=0, help_text="How many notices it made.")

    class Meta:
        ordering = ["-noticed_at"]

    def __str__(self) -> str:
        return f"Due date change {self.change_id}: {self.notices} notice(s)"
