"""Demo reminder settings: the defaults, and one officer on leave to show the pause."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import User
from reminders.models import Frequency, ReminderPreference, ReminderSettings


def load(*, today: dt.date | None = None, **kwargs) -> None:
    today = today or timezone.localdate()
    ReminderSettings.objects.get_or_create(pk=ReminderSettings.SINGLETON_ID)
    people = {u.username: u for u in User.objects.filter(username__in=["eward", "dkhan"])}
    if "eward" in people:  # on leave for a fortnight: her reminders wait, escalations do not
        ReminderPreference.objects.update_or_create(
            user=people["eward"],
            defaults={"paused": True, "back_on": today + dt.timedelta(days=14)},
        )
    if "dkhan" in people:
        ReminderPreference.objects.update_or_create(
            user=people["dkhan"], defaults={"frequency": Frequency.WEEKLY}
        )
