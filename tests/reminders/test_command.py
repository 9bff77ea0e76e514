import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from reminders.models import Reminder
from tests.factories import TODAY, ActionFactory, ReminderPreferenceFactory
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
    ReminderPreferenceFactory(user=officer, paused=True)
    assert "0 email(s)" in run("--dry-run", "--date", TODAY.isoformat())


def test_a_weekend_date_is_flagged(overdue):
    assert "is not a working day" in run("--dry-run", "--date", next_saturday(TODAY).isoformat())


def test_a_bad_date_is_explained():
    with pytest.raises(CommandError, match="like 2026-11-23"):
        run("--dry-run", "--date", "23/11/2026")


@pytest.mark.django_db(transaction=True)
def test_no_mail_server_is_one_clear_line_not_a_traceback(overdue):
    """The operator runs the real command while the mail server is away."""
    import os
    import subprocess
    import sys

    from django.conf import settings
    from django.db import connection

    from tests.smtp import free_port

    port = free_port()  # nothing listens there
    env = os.environ | {
        "DATABASE_URL": f"postgres://{connection.settings_dict['USER']}@"
        f"{connection.settings_dict['HOST']}:{connection.settings_dict['PORT']}/"
        f"{connection.settings_dict['NAME']}",
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "send_reminders", "--date", TODAY.isoformat()],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(errors) == 1, result.stderr
    assert f"No mail server answered at 127.0.0.1:{port}" in errors[0]
    assert "EMAIL_URL" in errors[0]
    assert Reminder.objects.filter(status="pending").count() == 1  # kept for later


def test_no_system_check_warning_at_the_default_send_time():
    """Django warns (fields.W161) about a fixed time default during the ten seconds either
    side of it; the warning went to every command's output at 07:00."""
    import time_machine
    from django.core import checks

    seven = dt.datetime.combine(TODAY, dt.time(7, 0, 3), tzinfo=ZoneInfo("Europe/London"))
    with time_machine.travel(seven, tick=False):
        assert [m.id for m in checks.run_checks() if m.id == "fields.W161"] == []
