import datetime as dt

from django import forms

from boardpacks.context import meeting_date_for, next_month
from core.forms import Form, GovukDateField

MONTHS_BACK = 12
MONTHS_AHEAD = 3


def month_choices(today: dt.date) -> list[tuple[str, str]]:
    """From a year ago to three months ahead, newest first."""
    month = today.replace(day=1)
    for _ in range(MONTHS_BACK):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    months = []
    for _ in range(MONTHS_BACK + MONTHS_AHEAD + 1):
        months.append(month)
        month = next_month(month)
    return [(f"{m:%Y-%m}", f"{m:%B %Y}") for m in reversed(months)]


class BoardPackRequestForm(Form):
    """A lead's "Generate now": which month, the meeting date, and whether to email it."""

    month = forms.ChoiceField(label="Month of the board meeting")
    meeting_date = GovukDateField(
        label="Meeting date (optional)",
        required=False,
        help_text="Leave empty to use the Board’s meeting that month from its calendar (or "
        "the usual day of the month if none is recorded). For example, 27 3 2026",
    )
    send_to_board = forms.BooleanField(
        label="Email it to every board member as soon as it is ready",
        required=False,
    )

    def __init__(self, *args, today: dt.date, initial_month: dt.date, **kwargs):
        kwargs.setdefault("initial", {"month": f"{initial_month:%Y-%m}"})
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = month_choices(today)

    def clean_month(self) -> dt.date:
        return dt.datetime.strptime(self.cleaned_data["month"], "%Y-%m").date()

    def clean(self):
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        month = data.get("month")
        if month and not data.get("meeting_date"):
            data["meeting_date"] = meeting_date_for(month)
        return data
