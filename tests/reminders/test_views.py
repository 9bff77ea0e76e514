import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from reminders.models import Frequency, ReminderPreference, ReminderSettings

pytestmark = pytest.mark.django_db

PREFS = reverse("reminders:preference_edit")
SETTINGS = reverse("reminders:settings_edit")

VALID_SETTINGS = {
    "due_within_days": "10",
    "escalate_after_days": "21",
    "send_time": "08:30",
    "working_days_only": "on",
    "escalation_enabled": "on",
    "notify_due_date_changes": "on",
}


@pytest.mark.parametrize("url", [PREFS, SETTINGS])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("who", ["board_member", "officer", "lead", "administrator"])
def test_everyone_with_a_role_can_set_their_own_reminders(as_user, request, who):
    response = as_user(request.getfixturevalue(who)).get(PREFS)
    assert response.status_code == 200
    assert "Your reminder settings" in response.text


def test_the_nav_links_to_reminders(as_user, officer):
    response = as_user(officer).get(reverse("dashboard"))
    assert f'href="{PREFS}"' in response.text


def test_officer_pauses_reminders_while_on_leave(as_user, officer):
    back = timezone.localdate() + dt.timedelta(days=10)
    response = as_user(officer).post(
        PREFS, {"frequency": "weekly", "paused": "on", "back_on": back.isoformat()}
    )
    assert response.status_code == 302
    preference = ReminderPreference.objects.get(user=officer)
    assert (preference.frequency, preference.paused, preference.back_on) == (
        Frequency.WEEKLY,
        True,
        back,
    )
    page = as_user(officer).get(PREFS)
    assert "Your reminders are paused until" in page.text


@pytest.mark.parametrize(
    "data,message",
    [
        ({"frequency": "daily", "back_on": "2099-01-01"}, "did not pause your reminders"),
        ({"frequency": "daily", "paused": "on", "back_on": "2020-01-01"}, "must be in the future"),
        ({"frequency": "daily", "paused": "on", "back_on": "31/02/2027"}, "a real date"),
        ({"frequency": "hourly"}, "Select a valid choice"),
    ],
)
def test_bad_preferences_are_explained_and_nothing_is_saved(as_user, officer, data, message):
    response = as_user(officer).post(PREFS, data)
    assert response.status_code == 422
    assert message in response.text
    assert "There is a problem" in response.text
    assert not ReminderPreference.objects.filter(user=officer).exists()


@pytest.mark.parametrize("who", ["board_member", "officer"])
def test_only_leads_and_administrators_change_settings_for_everyone(as_user, request, who):
    user = request.getfixturevalue(who)
    assert as_user(user).get(SETTINGS).status_code == 403
    assert as_user(user).post(SETTINGS, VALID_SETTINGS).status_code == 403
    assert ReminderSettings.objects.get().due_within_days == 7
    assert "Reminders for everyone" not in as_user(user).get(PREFS).text


@pytest.mark.parametrize("who", ["lead", "administrator"])
def test_lead_changes_the_settings(as_user, request, who):
    user = request.getfixturevalue(who)
    assert "Reminders for everyone" in as_user(user).get(PREFS).text
    response = as_user(user).post(SETTINGS, VALID_SETTINGS)
    assert response.status_code == 302
    config = ReminderSettings.objects.get()
    assert (config.due_within_days, config.escalate_after_days) == (10, 21)
    assert config.send_time == dt.time(8, 30)
    assert config.weekly_lead_summary is False  # unticked
    assert config.updated_by == user
    assert f"Last changed by {escape(user.display_name)}" in as_user(user).get(SETTINGS).text


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("due_within_days", "0", "must be 1 or more"),
        ("due_within_days", "61", "must be 60 or fewer"),
        ("escalate_after_days", "two weeks", "whole number"),
        ("send_time", "7am", "24-hour clock"),
    ],
)
def test_bad_settings_are_explained_and_nothing_is_saved(as_user, lead, field, value, message):
    response = as_user(lead).post(SETTINGS, VALID_SETTINGS | {field: value})
    assert response.status_code == 422
    assert message in response.text
    assert ReminderSettings.objects.get().due_within_days == 7
