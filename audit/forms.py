import datetime as dt

from django import forms
from django.utils import timezone

from core.forms import Form, PeriodDateField


class HistoryExportForm(Form):
    start = PeriodDateField(
        label="From",
        widget=forms.DateInput,
        error_messages={
            "required": "Enter the first day to export.",
            "invalid": "Enter the first day as a real date.",
        },
    )
    end = PeriodDateField(
        label="To",
        help_text="Changes on this day are included.",
        widget=forms.DateInput,
        error_messages={
            "required": "Enter the last day to export.",
            "invalid": "Enter the last day as a real date.",
        },
    )

    @classmethod
    def initial_month(cls) -> "HistoryExportForm":
        today = timezone.localdate()
        return cls(initial={"start": today - dt.timedelta(days=30), "end": today})

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "The last day must be the same as or after the first day.")
        return cleaned
