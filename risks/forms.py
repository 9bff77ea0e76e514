from django import forms

from accounts.forms import people_who_own_things
from actions.models import Action
from core.forms import Form, ModelForm
from risks.models import Colour, ImpactLevel, LikelihoodLevel, Risk, RiskMatrix, RiskStatus


class RiskForm(ModelForm):
    """Add or change a risk. Owners who are not leads do not see reference, owner, status."""

    rating_note = forms.CharField(
        label="Why the rating is what it is",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when you change the current or target rating. Kept in the "
        "rating history.",
    )

    class Meta:
        model = Risk
        fields = [
            "reference",
            "title",
            "description",
            "causes",
            "consequences",
            "controls",
            "mitigation",
            "owner",
            "likelihood",
            "impact",
            "target_likelihood",
            "target_impact",
            "appetite",
            "review_date",
            "status",
            "actions",
        ]
        labels = {
            "likelihood": "Current likelihood",
            "impact": "Current impact",
            "target_likelihood": "Target likelihood",
            "target_impact": "Target impact",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "causes": forms.Textarea(attrs={"rows": 3}),
            "consequences": forms.Textarea(attrs={"rows": 3}),
            "controls": forms.Textarea(attrs={"rows": 3}),
            "mitigation": forms.Textarea(attrs={"rows": 4}),
            "review_date": forms.DateInput,
            "appetite": forms.RadioSelect,
            "status": forms.RadioSelect,
            "actions": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, can_manage: bool, **kwargs):
        super().__init__(*args, **kwargs)
        matrix = RiskMatrix.objects.current()
        risk = self.instance if self.instance.pk else None
        matrix_id = risk.likelihood.matrix_id if risk else (matrix.pk if matrix else None)
        for name in ("likelihood", "target_likelihood"):
            self.fields[name].queryset = LikelihoodLevel.objects.filter(matrix_id=matrix_id)
            self.fields[name].empty_label = "Choose likelihood"
        for name in ("impact", "target_impact"):
            self.fields[name].queryset = ImpactLevel.objects.filter(matrix_id=matrix_id)
            self.fields[name].empty_label = "Choose impact"
        self.fields["owner"].queryset = people_who_own_things()
        self.fields["actions"].queryset = Action.objects.for_list()
        self.fields["actions"].label = "Mitigating actions in the plan"
        self.fields["actions"].required = False
        if not can_manage:
            for name in ("reference", "owner", "status"):
                del self.fields[name]
        order = list(self.Meta.fields)
        order.insert(order.index("target_impact") + 1, "rating_note")
        self.order_fields(order)


class RiskFilterForm(Form):
    """The register's filters. They live in the URL so a filtered list can be shared."""

    q = forms.CharField(label="Search", required=False)
    owner = forms.ModelChoiceField(
        queryset=people_who_own_things().filter(risks__isnull=False).distinct(),
        required=False,
        empty_label="All owners",
    )
    colour = forms.ChoiceField(
        label="Current rating colour",
        choices=[("", "All colours"), *reversed(Colour.choices)],
        required=False,
    )
    status = forms.ChoiceField(
        choices=[(RiskStatus.OPEN, "Open"), (RiskStatus.CLOSED, "Closed"), ("all", "All")],
        required=False,
    )
    overdue = forms.BooleanField(label="Review overdue only", required=False)
    above_appetite = forms.BooleanField(label="Above appetite only", required=False)
    likelihood = forms.IntegerField(required=False, widget=forms.HiddenInput)
    impact = forms.IntegerField(required=False, widget=forms.HiddenInput)
