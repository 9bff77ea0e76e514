from django import forms

from accounts.forms import people_who_own_things
from actions.models import Priority
from core.forms import Form, ModelForm
from inspections.models import AreaForImprovement
from kpis.models import Comparator, Indicator, IndicatorValue


class IndicatorForm(ModelForm):
    class Meta:
        model = Indicator
        fields = [
            "name",
            "code",
            "definition",
            "unit",
            "decimal_places",
            "good_direction",
            "frequency",
            "target",
            "amber_tolerance",
            "owner",
            "priorities",
            "areas",
            "order",
        ]
        widgets = {
            "definition": forms.Textarea(attrs={"rows": 4}),
            "good_direction": forms.RadioSelect,
            "priorities": forms.CheckboxSelectMultiple,
            "areas": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people_who_own_things()
        self.fields["priorities"].queryset = Priority.objects.all()
        self.fields["areas"].queryset = AreaForImprovement.objects.with_inspection()
        self.fields["areas"].label_from_instance = lambda a: (
            f"{a.label} ({a.inspection.start_date:%B %Y})"
        )
        for name in ("target", "amber_tolerance"):
            self.fields[name].widget.attrs["class"] = "govuk-input govuk-input--width-10"


class IndicatorValueForm(Form):
    """A value for one period: the council's own, or a comparator's."""

    comparator = forms.ModelChoiceField(
        queryset=Comparator.objects.all(),
        required=False,
        empty_label="The council's own value",
        label="Whose value",
    )
    period_end = forms.DateField(
        label="Period end",
        widget=forms.DateInput,
        help_text="The last day of the period, or the date the figure was counted.",
    )
    period_start = forms.DateField(
        label="Period start (optional)", required=False, widget=forms.DateInput
    )
    period_label = forms.CharField(
        label="Period label (optional)",
        required=False,
        max_length=40,
        help_text='How the period is usually written, for example "2022-23" or "Aug 2023".',
    )
    value = forms.DecimalField(max_digits=14, decimal_places=4, label="Value")
    source = forms.CharField(label="Source (optional)", required=False, max_length=250)
    note = forms.CharField(
        label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, indicator: Indicator, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].help_text = f"{indicator.get_unit_display()}. Numbers only."
        self.fields["value"].widget.attrs["class"] = "govuk-input govuk-input--width-10"
        self.fields["value"].widget.attrs["aria-describedby"] = "id_value_helptext"

    @classmethod
    def for_value(cls, item: IndicatorValue, data=None):
        return cls(
            data=data,
            indicator=item.indicator,
            initial={
                "comparator": item.comparator_id,
                "period_end": item.period_end,
                "period_start": item.period_start,
                "period_label": item.period_label,
                "value": item.value.normalize(),
                "source": item.source,
                "note": item.note,
            },
        )

    def clean(self):
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and start > end:
            self.add_error("period_start", "The period cannot start after it ends.")
        return data
