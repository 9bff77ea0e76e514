import datetime as dt
import re

from django import forms
from django.db.models import Q
from django.utils import timezone

from accounts.models import Role, User
from actions.models import Action, Priority
from board.models import AgendaItem, Decision, Meeting
from core.forms import FastSelect, Form, ModelForm, PeriodDateField
from inspections.models import AreaForImprovement
from kpis.models import Indicator
from risks.models import Risk

QUESTION_MAX = 4000


def people_with_roles(*roles: Role):
    return (
        User.objects.filter(is_active=True, groups__name__in=[r.value for r in roles])
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def _person_label(user: User) -> str:
    return f"{user.display_name}, {user.job_title}" if user.job_title else user.display_name


def _area_label(area: AreaForImprovement) -> str:
    return f"{area.label} ({area.inspection.get_kind_display()}, {area.inspection.start_date:%Y})"


def _areas_queryset(*, keep=()):
    """Areas the plan answers now, plus any already chosen."""
    keep_ids = [a.pk for a in keep]
    current = AreaForImprovement.objects.current().values("pk")
    return (
        AreaForImprovement.objects.with_inspection()
        .filter(Q(pk__in=current) | Q(pk__in=keep_ids))
        .order_by("-inspection__start_date", "order")
    )


def parse_references(text: str) -> list[str]:
    return [ref for ref in re.split(r"[\s,;]+", text.strip()) if ref]


def actions_for_references(text: str) -> list[Action]:
    """The actions named by a list of references, or a ValidationError naming the unknown."""
    references = parse_references(text)
    found = {a.reference: a for a in Action.objects.filter(reference__in=references)}
    missing = [ref for ref in references if ref not in found]
    if missing:
        raise forms.ValidationError(
            "There is no action with reference %(refs)s.", params={"refs": ", ".join(missing)}
        )
    return [found[ref] for ref in dict.fromkeys(references)]


# --- Challenges -----------------------------------------------------------------------


class ChallengePackPeriodForm(Form):
    """The period of the challenges section (?since=&until=, both optional)."""

    since = PeriodDateField(required=False, label="From")
    until = PeriodDateField(required=False, label="To")


class ChallengeRaiseForm(Form):
    question = forms.CharField(
        label="Your challenge or question",
        max_length=QUESTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    meeting = forms.ModelChoiceField(
        label="Raised at a board meeting (optional)",
        queryset=Meeting.objects.none(),
        required=False,
        empty_label="Not at a meeting",
    )

    def __init__(self, *args, assignee: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["meeting"].queryset = Meeting.objects.filter(
            date__gte=today - dt.timedelta(days=62), date__lte=today + dt.timedelta(days=31)
        )
        if assignee is not None:
            self.fields["question"].help_text = (
                f"{assignee.display_name} will be asked to answer it here. "
                "Raising a challenge changes nothing in the plan."
            )
            self.fields["question"].widget.attrs["aria-describedby"] = "id_question_helptext"


class ChallengeAnswerForm(Form):
    text = forms.CharField(
        label="Your answer", max_length=QUESTION_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )


class ChallengeReplyForm(Form):
    text = forms.CharField(
        label="Your reply",
        required=False,
        max_length=QUESTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Say what is still missing if you press further. "
        "Optional if you accept the answer.",
    )


class ChallengeReassignForm(Form):
    assignee = forms.ModelChoiceField(
        label="Pass to", queryset=User.objects.none(), widget=FastSelect
    )
    note = forms.CharField(label="Note (optional)", required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        field.queryset = people_with_roles(Role.OFFICER, Role.IMPROVEMENT_LEAD)
        field.label_from_instance = _person_label


# --- Meetings -------------------------------------------------------------------------


class MeetingForm(ModelForm):
    attendees = forms.ModelMultipleChoiceField(
        label="Present",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    apologies = forms.ModelMultipleChoiceField(
        label="Sent apologies",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    remove_minutes_file = forms.BooleanField(
        label="Remove the current minutes document", required=False
    )

    class Meta:
        model = Meeting
        fields = [
            "date",
            "title",
            "location",
            "board_pack_reference",
            "attendees",
            "other_attendees",
            "apologies",
            "other_apologies",
            "minutes",
            "minutes_file",
        ]
        widgets = {
            "date": forms.DateInput,
            "other_attendees": forms.Textarea(attrs={"rows": 3}),
            "other_apologies": forms.Textarea(attrs={"rows": 2}),
            "minutes": forms.Textarea(attrs={"rows": 10}),
            "minutes_file": forms.FileInput,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = people_with_roles(*Role)
        for name in ("attendees", "apologies"):
            self.fields[name].queryset = people
            self.fields[name].label_from_instance = _person_label
        if self.instance.pk:
            attendance = list(self.instance.attendance.all())
            self.initial.setdefault(
                "attendees", [a.person_id for a in attendance if a.status == "present"]
            )
            self.initial.setdefault(
                "apologies", [a.person_id for a in attendance if a.status == "apologies"]
            )
        if not self.instance.minutes_file:
            del self.fields["remove_minutes_file"]

    def clean(self):
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        both = set(data.get("attendees") or []) & set(data.get("apologies") or [])
        if both:
            names = ", ".join(sorted(p.display_name for p in both))
            self.add_error("apologies", f"{names} cannot both attend and send apologies.")
        return data


class AgendaItemForm(ModelForm):
    action_references = forms.CharField(
        label="Actions discussed",
        required=False,
        help_text="Action references separated by commas, for example 2.5, 2.6.",
    )

    class Meta:
        model = AgendaItem
        fields = [
            "order",
            "title",
            "presenter",
            "action_references",
            "areas",
            "indicators",
            "risks",
            "notes",
        ]
        widgets = {
            "areas": forms.CheckboxSelectMultiple,
            "indicators": forms.CheckboxSelectMultiple,
            "risks": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {"notes": "What the board said, asked and noted."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].widget.attrs["class"] += " govuk-input--width-3"
        item = self.instance
        chosen = list(item.areas.all()) if item.pk else []
        self.fields["areas"].queryset = _areas_queryset(keep=chosen)
        self.fields["areas"].label_from_instance = _area_label
        self.fields["areas"].required = False
        self.fields["indicators"].queryset = Indicator.objects.order_by("order", "name")
        self.fields["indicators"].label = "Indicators discussed"
        self.fields["risks"].queryset = Risk.objects.order_by("reference")
        self.fields["risks"].label = "Risks discussed"
        if item.pk:
            self.initial.setdefault(
                "action_references", ", ".join(a.reference for a in item.actions.all())
            )
        elif item.meeting_id:
            last = item.meeting.agenda_items.order_by("-order").first()
            self.initial.setdefault("order", (last.order + 1) if last else 1)

    def clean_action_references(self) -> list[Action]:
        return actions_for_references(self.cleaned_data["action_references"])

    def clean_order(self) -> int:
        order = self.cleaned_data["order"]
        clash = AgendaItem.objects.filter(meeting_id=self.instance.meeting_id, order=order)
        if clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("The meeting already has an item with this number.")
        return order


class DecisionForm(ModelForm):
    action_reference = forms.CharField(
        label="About action (optional)",
        required=False,
        help_text="The action's reference, for example 2.6.",
    )

    class Meta:
        model = Decision
        fields = [
            "order",
            "kind",
            "text",
            "agenda_item",
            "action_reference",
            "area",
            "indicator",
            "risk",
            "owner",
            "due_date",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "text": forms.Textarea(attrs={"rows": 4}),
            "due_date": forms.DateInput,
            "area": FastSelect,
            "indicator": FastSelect,
            "risk": FastSelect,
            "owner": FastSelect,
        }
        labels = {
            "area": "About area for improvement (optional)",
            "indicator": "About indicator (optional)",
            "risk": "About risk (optional)",
            "owner": "Who will do it",
        }
        help_texts = {
            "owner": "For a commitment: who made it.",
            "due_date": "For a commitment: when it is due.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        decision = self.instance
        self.fields["order"].widget.attrs["class"] += " govuk-input--width-3"
        self.fields["kind"].choices = Decision.Kind.choices
        self.fields["agenda_item"].queryset = AgendaItem.objects.filter(
            meeting_id=decision.meeting_id
        )
        self.fields["agenda_item"].empty_label = "Not linked to an item"
        self.fields["area"].queryset = _areas_queryset(
            keep=[decision.area] if decision.area_id else []
        )
        self.fields["area"].label_from_instance = _area_label
        self.fields["area"].empty_label = "None"
        self.fields["indicator"].queryset = Indicator.objects.order_by("order", "name")
        self.fields["indicator"].empty_label = "None"
        self.fields["risk"].queryset = Risk.objects.order_by("reference")
        self.fields["risk"].empty_label = "None"
        self.fields["owner"].queryset = people_with_roles(Role.OFFICER, Role.IMPROVEMENT_LEAD)
        self.fields["owner"].label_from_instance = _person_label
        self.fields["owner"].empty_label = "Nobody named"
        if decision.pk and decision.action_id:
            self.initial.setdefault("action_reference", decision.action.reference)
        elif not decision.pk and decision.meeting_id:
            last = decision.meeting.decisions.order_by("-order").first()
            self.initial.setdefault("order", (last.order + 1) if last else 1)

    def clean_action_reference(self) -> Action | None:
        actions = actions_for_references(self.cleaned_data["action_reference"])
        if len(actions) > 1:
            raise forms.ValidationError("Give one action reference.")
        return actions[0] if actions else None

    def clean_order(self) -> int:
        order = self.cleaned_data["order"]
        clash = Decision.objects.filter(meeting_id=self.instance.meeting_id, order=order)
        if clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("The meeting already has a decision with this number.")
        return order


class DecisionActionForm(Form):
    """The minimum a new action needs, prefilled from the decision."""

    reference = forms.CharField(
        max_length=20,
        help_text="The next free number in the priority is filled in. Change it if you need to.",
    )
    title = forms.CharField(max_length=250)
    priority = forms.ModelChoiceField(queryset=Priority.objects.all())
    owner = forms.ModelChoiceField(
        label="Lead officer", queryset=User.objects.none(), widget=FastSelect
    )
    accountable = forms.ModelChoiceField(
        label="Accountable senior manager", queryset=User.objects.none(), widget=FastSelect
    )
    start_date = forms.DateField(widget=forms.DateInput)
    due_date = forms.DateField(widget=forms.DateInput)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    areas = forms.ModelMultipleChoiceField(
        label="Areas for improvement it serves",
        queryset=AreaForImprovement.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, chosen_areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        people = people_with_roles(Role.OFFICER, Role.IMPROVEMENT_LEAD)
        for name in ("owner", "accountable"):
            self.fields[name].queryset = people
            self.fields[name].label_from_instance = _person_label
        self.fields["areas"].queryset = _areas_queryset(keep=chosen_areas)
        self.fields["areas"].label_from_instance = _area_label

    @classmethod
    def for_decision(cls, decision: Decision, data=None) -> "DecisionActionForm":
        about = decision.action
        areas = list(about.areas.all()) if about else []
        if decision.area is not None and decision.area not in areas:
            areas.append(decision.area)
        priority = about.priority if about else _priority_of(areas)
        start = max(decision.meeting.date, timezone.localdate())
        initial = {
            "reference": _next_reference(priority) if priority else "",
            "title": _title_from(decision.text),
            "priority": priority,
            "owner": decision.owner or (about.owner if about else None),
            "accountable": about.accountable if about else None,
            "start_date": start,
            "due_date": decision.due_date or start + dt.timedelta(days=90),
            "description": (
                f"Agreed by the Improvement Board on {decision.meeting.date:%-d %B %Y}: "
                f"{decision.text}"
            ),
            "areas": areas,
        }
        return cls(data=data, initial=initial, chosen_areas=areas)


def _title_from(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= 250 else first[:249] + "…"


def _priority_of(areas) -> Priority | None:
    action = Action.objects.filter(areas__in=areas).order_by("-start_date").first()
    return action.priority if action else None


def _next_reference(priority: Priority) -> str:
    """The next free "<priority>.<n>" reference."""
    numbers = [
        int(ref.split(".", 1)[1])
        for ref in Action.objects.filter(reference__startswith=f"{priority.number}.").values_list(
            "reference", flat=True
        )
        if ref.split(".", 1)[1].isdigit()
    ]
    return f"{priority.number}.{max(numbers, default=0) + 1}"
