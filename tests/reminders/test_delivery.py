"""Claiming, sending and recording one reminder; what the emails say."""

import datetime as dt
import smtplib

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from actions.models import Status
from reminders import delivery
from reminders.models import DeliveryStatus, Kind, Reminder
from tests.factories import TODAY, ActionFactory, ReminderFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


@pytest.fixture
def overdue_action(officer):
    return ActionFactory(
        owner=officer,
        accountable=UserFactory(role=Role.OFFICER),
        title="Audit & review <case files>",
        start_date=TODAY - 60 * DAY,
        baseline_due_date=TODAY - 5 * DAY,
        due_date=TODAY - 5 * DAY,
        rag_override="amber",
        rag_override_reason="Private reasoning the digest must not repeat",
    )


@pytest.fixture
def reminder(officer, overdue_action):
    return ReminderFactory(recipient=officer)


def test_only_one_of_two_claimants_wins(reminder):
    assert delivery.delivery_claim(Reminder, reminder.pk, token="a")
    assert not delivery.delivery_claim(Reminder, reminder.pk, token="b")
    reminder.refresh_from_db()
    assert (reminder.status, reminder.claimed_by, reminder.attempts) == ("sending", "a", 1)


def test_a_claim_whose_lease_has_run_out_can_be_taken_over(reminder, settings):
    settings.REMINDERS_CLAIM_LEASE_SECONDS = 60
    delivery.delivery_claim(Reminder, reminder.pk, token="dead")
    later = timezone.now() + dt.timedelta(seconds=61)
    assert delivery.delivery_claim(Reminder, reminder.pk, token="alive", now=later)
    # The dead claimant can no longer record anything.
    assert not delivery.delivery_release(Reminder, reminder.pk, token="dead", status="sent")


def test_a_sent_reminder_is_never_claimed_again(reminder):
    delivery.delivery_claim(Reminder, reminder.pk, token="a")
    delivery.delivery_release(Reminder, reminder.pk, token="a", status=DeliveryStatus.SENT)
    much_later = timezone.now() + dt.timedelta(days=2)
    assert not delivery.delivery_claim(Reminder, reminder.pk, token="b", now=much_later)


def test_send_twice_delivers_once(reminder, officer):
    assert delivery.reminder_send(reminder_id=reminder.pk, token="1") == delivery.Outcome.SENT
    assert delivery.reminder_send(reminder_id=reminder.pk, token="2") == (
        delivery.Outcome.ALREADY_DONE
    )
    assert len(mail.outbox) == 1
    reminder.refresh_from_db()
    assert reminder.status == DeliveryStatus.SENT and reminder.action_count == 1
    assert mail.outbox[0].to == [officer.email]


def test_nothing_is_sent_if_the_action_was_finished_since_planning(reminder, overdue_action):
    Action = type(overdue_action)
    Action.objects.filter(pk=overdue_action.pk).update(status=Status.CANCELLED)
    assert delivery.reminder_send(reminder_id=reminder.pk, token="1") == (
        delivery.Outcome.NOTHING_TO_SEND
    )
    assert mail.outbox == []
    reminder.refresh_from_db()
    assert reminder.status == DeliveryStatus.NOTHING_TO_SEND


def test_digest_email_has_text_and_html_links_and_nothing_private(reminder, overdue_action):
    delivery.reminder_send(reminder_id=reminder.pk, token="1")
    (message,) = mail.outbox
    html = message.alternatives[0].content
    url = f"http://127.0.0.1:8000/actions/{overdue_action.pk}/"
    assert message.subject == "Your improvement actions: 1 overdue"
    assert "Audit & review <case files>" in message.body
    assert "5 days overdue. RAG: Amber." in message.body
    assert url in message.body and f'href="{url}"' in html
    assert "Audit &amp; review &lt;case files&gt;" in html
    assert "Private reasoning" not in message.body + html
    assert "http://127.0.0.1:8000/reminders/" in message.body
    assert message.extra_headers["Message-ID"] == f"<improve.reminder.{reminder.pk}@medway.example>"
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"


def test_escalation_and_summary_emails_name_the_lead_officer(officer, overdue_action, lead):
    manager = overdue_action.accountable
    type(overdue_action).objects.filter(pk=overdue_action.pk).update(due_date=TODAY - 20 * DAY)
    for recipient, kind in [(manager, Kind.ESCALATION), (lead, Kind.LEAD_SUMMARY)]:
        row = ReminderFactory(recipient=recipient, kind=kind)
        assert delivery.reminder_send(reminder_id=row.pk, token="t") == delivery.Outcome.SENT
    escalation, summary = mail.outbox
    assert escalation.subject == "Escalation: 1 action overdue by more than 14 days"
    assert f"Lead officer: {officer.display_name}. Due" in escalation.body
    assert "even if the lead officer is on leave" in escalation.body
    assert summary.subject == "Weekly summary: 1 action overdue"
    assert "Priority 1: 1" in summary.body


@pytest.mark.parametrize(
    "error,transient",
    [
        (smtplib.SMTPDataError(451, b"Try again later"), True),
        (smtplib.SMTPDataError(421, b"Closing"), True),
        (smtplib.SMTPDataError(554, b"Rejected"), False),
        (smtplib.SMTPRecipientsRefused({"a@b": (450, b"Busy")}), True),
        (smtplib.SMTPRecipientsRefused({"a@b": (550, b"No such user")}), False),
        (smtplib.SMTPServerDisconnected("gone"), True),
        (TimeoutError("timed out"), True),
        (ConnectionRefusedError(), True),
        (smtplib.SMTPAuthenticationError(535, b"Bad credentials"), False),
        (SoftTimeLimitExceeded(), True),
        (ValueError("a bug"), False),
    ],
)
def test_only_transient_mail_errors_are_retried(error, transient):
    assert delivery.is_transient(error) is transient


class FailingMailer:
    def __init__(self, error):
        self.error = error

    def send_messages(self, messages):
        raise self.error


def test_a_transient_error_puts_the_reminder_back_to_wait(reminder):
    with pytest.raises(delivery.TransientSendError):
        delivery.reminder_send(
            reminder_id=reminder.pk,
            token="1",
            connection=FailingMailer(smtplib.SMTPDataError(451, b"Later")),
        )
    reminder.refresh_from_db()
    assert reminder.status == DeliveryStatus.PENDING
    assert "451" in reminder.last_error
    assert delivery.reminder_send(reminder_id=reminder.pk, token="2") == delivery.Outcome.SENT


def test_a_permanent_error_marks_it_failed_without_retrying(reminder):
    outcome = delivery.reminder_send(
        reminder_id=reminder.pk,
        token="1",
        connection=FailingMailer(smtplib.SMTPRecipientsRefused({"x": (550, b"No such user")})),
    )
    assert outcome == delivery.Outcome.FAILED
    reminder.refresh_from_db()
    assert reminder.status == DeliveryStatus.FAILED
    assert delivery.reminder_send(reminder_id=reminder.pk, token="2") == delivery.Outcome.FAILED


@pytest.mark.django_db(transaction=True)
def test_of_eight_workers_racing_for_a_reminder_exactly_one_claims_it(officer):
    """Eight threads, eight database connections, one row: PostgreSQL lets one UPDATE win."""
    import threading

    from django.db import connection

    reminder = ReminderFactory(recipient=officer)
    start = threading.Barrier(8)
    wins = []

    def worker(n):
        try:
            start.wait()
            if delivery.delivery_claim(Reminder, reminder.pk, token=f"w{n}"):
                wins.append(n)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(wins) == 1
    reminder.refresh_from_db()
    assert reminder.claimed_by == f"w{wins[0]}" and reminder.attempts == 1
