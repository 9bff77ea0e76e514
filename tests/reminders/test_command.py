import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from reminders.models import Reminder, ReminderPreference
from tests.factories import TODAY, ActionFactory
from tests.reminders.conftest import next_saturday

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


@pytest.fixture
def overdue(officer):
    return ActionFactory(
        owner=officer,
        reference="4.2",
        start_date=TODAY - 60 * DAY,
        baseline_due_date=TODAY - 2 * DAY,
        due_date=TODAY - 2 * DAY,
    )


def run(*args) -> str:
    out = StringIO()
    call_command("send_reminders", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_dry_run_prints_who_would_get_what_and_sends_nothing(officer, overdue):
    output = run("--dry-run", "--date", TODAY.isoformat())
    day = f"{TODAY:%A} {TODAY.day} {TODAY:%B %Y}"  # "Monday 23 November 2026", say
    assert f"Reminders for {day} (dry run: nothing is sent)" in output
    assert f"Daily digest to {officer.display_name} <{officer.email}>: 1 overdue" in output
    assert "(4.2)" in output
    assert mail.outbox == []
    assert not Reminder.objects.exists()


def test_send_sends_once_however_often_it_is_run(officer, overdue):
    assert "1 sent" in run("--date", TODAY.isoformat())
    assert "nothing to do" in run("--date", TODAY.isoformat())
    assert len(mail.outbox) == 1
    assert "already sent" in run("--dry-run", "--date", TODAY.isoformat())


def test_paused_people_are_left_out(officer, overdue):
    ReminderPreference.objects.create(user=officer, paused=True)
    assert "0 email(s)" in run("--dry-run", "--date", TODAY.isoformat())


def test_a_weekend_date_is_flagged(overdue):
    assert "is not a working day" in run("--dry-run", "--date", next_saturday(TODAY).isoformat())


def test_a_bad_date_is_explained():
    with pytest.raises(CommandError, match="like 2026-11-23"):
        run("--dry-run", "--date", "23/11/2026")
