"""Operators: see who would get which reminder for a day, or send them now.

    python manage.py send_reminders --dry-run                # today, prints, sends nothing
    python manage.py send_reminders --dry-run --date 2026-11-23
    python manage.py send_reminders [--date YYYY-MM-DD]      # sends what is still unsent

Sending goes through the same claim as the workers, so running it while workers run, or twice,
sends nobody anything twice. It also sends on days the schedule would skip (weekends, before
the send time): an operator asking is reason enough. It sends in this process through one
mail connection and does not need the broker, so it works while Redis is down. Reminders that
failed for good are tried again. Set EMAIL_URL=console:// to print the emails instead.
"""

import datetime as dt
import os
import smtplib

from django.conf import settings
from django.core.mail import mailers
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from reminders import delivery, services
from reminders.digests import reminders_for_day, sending_day, settings_for_reading
from reminders.models import DeliveryStatus, Kind, Reminder
from reminders.working_days import week_start


def _mail_connection():
    """The mail connection, open; if no mail server answers, a CommandError of one line
    naming the server tried and the setting that names it (no traceback)."""
    connection = mailers["default"]
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as error:
        options = settings.MAILERS["default"].get("OPTIONS", {})
        where = f"{options.get('host', '?')}:{options.get('port', '?')}"
        reason = str(error) or type(error).__name__
        raise CommandError(
            f"No mail server answered at {where} ({reason}): nothing was sent. "
            "Check EMAIL_URL (set EMAIL_URL=console:// to print the emails instead)."
        ) from None
    return connection


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date must be a date like 2026-11-23, not {value!r}") from None


class Command(BaseCommand):
    help = "Print (--dry-run) or send the reminder emails for a day (default today)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Print, send nothing.")
        parser.add_argument("--date", type=str, help="The day, YYYY-MM-DD (default today).")

    def handle(self, *args, dry_run=False, date=None, **options):
        on = _date(date) if date else timezone.localdate()
        config = settings_for_reading()
        if not sending_day(on, config):
            self.stdout.write(f"Note: {on:%A %-d %B %Y} is not a working day.")
        if dry_run:
            self._dry_run(on, config)
        else:
            self._send(on, config)

    def _dry_run(self, on, config):
        digests = reminders_for_day(on=on, config=config)
        done = {
            (r["recipient_id"], r["date"], r["kind"]): r["status"]
            for r in Reminder.objects.filter(date__in=[on, week_start(on)]).values(
                "recipient_id", "date", "kind", "status"
            )
        }
        self.stdout.write(f"Reminders for {on:%A %-d %B %Y} (dry run: nothing is sent)")
        for digest in digests:
            status = done.get((digest.recipient.id, digest.date, digest.kind))
            note = f" [already {DeliveryStatus(status).label.lower()}]" if status else ""
            self.stdout.write(f"- {digest.describe()}{note}")
        self.stdout.write(f"{len(digests)} email(s).")

    def _send(self, on, config):
        services.reminders_plan(on=on, config=config, force=True)
        # Failed-for-good rows get another go when an operator asks.
        keys = Reminder.objects.filter(Q(date=on) | Q(date=week_start(on), kind__in=Kind.weekly()))
        keys.filter(status=DeliveryStatus.FAILED).update(status=DeliveryStatus.PENDING)
        ids = list(
            keys.filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING])
            .order_by("kind", "recipient_id")
            .values_list("pk", flat=True)
        )
        counts: dict[str, int] = {}
        token = f"send_reminders:{os.getpid()}"
        if not ids:
            self.stdout.write(self.style.SUCCESS(f"Reminders for {on:%-d %B %Y}: nothing to do."))
            return
        with _mail_connection() as connection:
            for pk in ids:
                try:
                    outcome = delivery.reminder_send(
                        reminder_id=pk, token=token, connection=connection
                    )
                except delivery.TransientSendError as error:
                    outcome = delivery.Outcome.FAILED
                    self.stderr.write(f"Reminder {pk}: not sent, try again later: {error}")
                    connection.close()  # the next send opens a fresh connection
                counts[outcome] = counts.get(outcome, 0) + 1
        summary = ", ".join(f"{n} {outcome}" for outcome, n in counts.items()) or "nothing to do"
        self.stdout.write(self.style.SUCCESS(f"Reminders for {on:%-d %B %Y}: {summary}."))
