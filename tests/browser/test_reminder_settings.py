import pytest

from reminders.models import ReminderPreference, ReminderSettings
from tests.conftest import axe_violations, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_officer_pauses_reminders_from_the_nav(page, live_server, officer):
    sign_in(page, live_server, officer.username)
    page.get_by_role("link", name="Reminders").click()
    page.get_by_role("heading", name="Your reminder settings").wait_for()
    assert axe_violations(page) == []

    page.get_by_label("Pause my reminders while I am on leave").check()
    page.get_by_label("Date you are back (optional)").fill("2020-01-01")
    page.get_by_role("button", name="Save your reminder settings").click()
    page.get_by_text("The date you are back must be in the future").first.wait_for()
    assert axe_violations(page) == []

    page.get_by_label("Date you are back (optional)").fill("")
    page.get_by_label("Once a week, on the first working day").check()
    page.get_by_role("button", name="Save your reminder settings").click()
    page.get_by_text("Your reminder settings have been saved.").wait_for()
    preference = ReminderPreference.objects.get(user=officer)
    assert (preference.paused, preference.frequency) == (True, "weekly")
    assert page.js_errors == []


def test_lead_changes_the_settings_for_everyone(page, live_server, lead):
    sign_in(page, live_server, lead.username)
    page.goto(f"{live_server.url}/reminders/")
    page.get_by_role("link", name="Change when reminders are sent").click()
    page.get_by_role("heading", name="Reminder settings for everyone").wait_for()
    assert axe_violations(page) == []

    page.get_by_label("Send reminders at").fill("7 o'clock")
    page.get_by_role("button", name="Save reminder settings").click()
    page.get_by_role("link", name="Enter the time on the 24-hour clock, like 07:00").wait_for()
    assert axe_violations(page) == []

    page.get_by_label("Send reminders at").fill("06:45")
    page.get_by_role("button", name="Save reminder settings").click()
    page.get_by_text("Reminder settings saved").wait_for()
    assert str(ReminderSettings.objects.get().send_time) == "06:45:00"
    assert page.js_errors == []
