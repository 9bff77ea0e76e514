from __future__ import annotations

from django import forms
from django.utils import timezone

from core.forms import ModelForm
from reminders.models import ReminderPreference, ReminderSettings


class ReminderSettingsForm(ModelForm):
    class Meta:
        model = ReminderSettings
        fields = [
            "due_within_days",
            "escalate_after_days",
            "send_time",
            "working_days_only",
            "escalation_enabled",
            "weekly_lead_summary",
            "notify_due_date_changes",
        ]
        widgets = {
            "send_time": forms.TimeInput(
                format="%H:%M", attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}
            ),
        }
        error_messages = {
            "due_within_days": {
                "required": "Enter the number of days, from 1 to 60",
                "invalid": "Enter the number of days as a whole number, like 7",
                "min_value": "The number of days must be 1 or more",
                "max_value": "The number of days must be 60 or fewer",
            },
            "escalate_after_days": {
                "required": "Enter the number of days, from 1 to 365",
                "invalid": "Enter the number of days as a whole number, like 14",
                "min_value": "The number of days must be 1 or more",
                "max_value": "The number of days must be 365 or fewer",
            },
            "send_time": {
                "required": "Enter the time to send reminders, like 07:00",
                "invalid": "Enter the time on the 24-hour clock, like 07:00",
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["send_time"].input_formats = ["%H:%M", "%H.%M", "%H:%M:%S"]
        for name in ("due_within_days", "escalate_after_days"):
            self.fields[name].widget.attrs.update({"class": "govuk-input govuk-input--width-3"})
            self.fields[name].widget.attrs["inputmode"] = "numeric"
        self.fields["due_within_days"].label = "Remind people about actions due within (days)"
        self.fields["escalate_after_days"].label = (
            "Escalate to the accountable senior manager when an action is overdue by more "
            "than (days)"
        )


class ReminderPreferenceForm(ModelForm):
    class Meta:
        model = ReminderPreference
        fields = ["frequency", "paused", "back_on"]
        widgets = {"frequency": forms.RadioSelect, "back_on": forms.DateInput}
        error_messages = {
            "back_on": {"invalid": "Enter the date you are back as a real date"},
            "frequency": {"required": "Choose how often you want reminders"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A radio list with no blank choice: one option is always chosen.
        self.fields["frequency"].choices = [c for c in self.fields["frequency"].choices if c[0]]

    def clean(self):
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        back_on = data.get("back_on")
        if back_on and not data.get("paused"):
            self.add_error(
                "back_on",
                "You gave a date you are back but did not pause your reminders. "
                "Tick the box to pause them, or remove the date.",
            )
        elif back_on and back_on <= timezone.localdate():
            self.add_error("back_on", "The date you are back must be in the future")
        return data
