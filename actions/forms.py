import datetime as dt

from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import Role, User
from actions.models import Action, Priority, Rag, Status
from actions.services import Change, NewAction
from core.forms import FastSelect, Form, GovukDateField
from inspections.models import AreaForImprovement


class ActionUpdateForm(Form):
    """An officer's update: what changed and what they want to say about it."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=Status.choices, widget=forms.RadioSelect)
    percent_complete = forms.IntegerField(label="Percent complete", min_value=0, max_value=100)
    due_date = GovukDateField(label="Current due date")
    due_date_reason = forms.CharField(
        label="Reason for changing the due date",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed only if you change the due date. The board sees it.",
    )
    rag_override = forms.ChoiceField(
        label="RAG override",
        required=False,
        choices=[("", "No override: use the rule"), *Rag.overridable()],
        help_text="Leave as the rule unless there is a reason the rule is wrong.",
    )
    rag_override_reason = forms.CharField(
        label="Reason for the RAG override",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(
        label="Progress note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What has happened since the last update.",
    )
    evidence_note = forms.CharField(
        label="Evidence",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed to mark the action complete: what shows it is done.",
    )
    evidence_url = forms.URLField(label="Link to evidence", required=False, assume_scheme="https")

    @classmethod
    def for_action(cls, action: Action, data=None) -> "ActionUpdateForm":
        initial = {
            "version": action.version,
            "status": action.status,
            "percent_complete": action.percent_complete,
            "due_date": action.due_date,
            "rag_override": action.rag_override,
            "rag_override_reason": action.rag_override_reason,
        }
        return cls(data=data, initial=initial, prefix=f"a{action.pk}")

    def to_change(self) -> Change:
        data = self.cleaned_data
        return Change(
            status=data["status"],
            percent_complete=data["percent_complete"],
            rag_override=data["rag_override"],
            rag_override_reason=data["rag_override_reason"],
            due_date=data["due_date"],
            due_date_reason=data["due_date_reason"],
            note=data["note"],
            evidence_note=data["evidence_note"],
            evidence_url=data["evidence_url"],
        )


class EvidenceDocumentForm(Form):
    """A document as evidence. What the file is, and how big, is checked by the service."""

    document = forms.FileField(
        label="Upload a file",
        help_text="A PDF, Word, Excel, PowerPoint, PNG or JPEG file.",
        error_messages={"required": "Select a file"},
        widget=forms.FileInput,
    )
    description = forms.CharField(
        label="Description (optional)",
        required=False,
        max_length=200,
        help_text="What the document shows, in a few words.",
    )

    @classmethod
    def for_action(cls, action: Action, data=None, files=None) -> "EvidenceDocumentForm":
        return cls(data=data, files=files, prefix=f"e{action.pk}")


class ActionFilterForm(Form):
    """The action plan's filters. They live in the URL so a filtered list can be shared."""

    SORTS = [
        ("reference", "Reference"),
        ("due_date", "Due date (soonest first)"),
        ("-due_date", "Due date (latest first)"),
        ("status", "Status"),
        ("owner", "Owner"),
        ("-updated_at", "Recently updated"),
    ]
    q = forms.CharField(label="Search", required=False)
    priority = forms.ModelChoiceField(
        queryset=Priority.objects.all(), required=False, empty_label="All priorities"
    )
    area = forms.ModelChoiceField(
        label="Area for improvement",
        queryset=AreaForImprovement.objects.with_inspection().order_by(
            "-inspection__start_date", "order"
        ),
        required=False,
        empty_label="All areas",
        widget=FastSelect,
    )
    owner = forms.ModelChoiceField(
        label="Lead officer",
        queryset=User.objects.filter(Exists(Action.objects.filter(owner=OuterRef("pk")))),
        required=False,
        empty_label="Anyone",
        widget=FastSelect,
    )
    status = forms.ChoiceField(choices=[("", "All statuses"), *Status.choices], required=False)
    rag = forms.ChoiceField(
        label="RAG rating", choices=[("", "All RAG ratings"), *Rag.choices], required=False
    )
    overdue = forms.BooleanField(label="Overdue only", required=False)
    due_before = GovukDateField(label="Due before", required=False)
    sort = forms.ChoiceField(choices=SORTS, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].label_from_instance = lambda area: (
            f"{area.label} ({area.inspection.start_date:%Y})"
        )
        self.fields["owner"].label_from_instance = lambda user: user.display_name

    def apply(self, actions, *, today: dt.date):
        """Narrow and order a queryset (annotated `with_rag`) by the valid filters."""
        data = self.cleaned_data
        if data["q"]:
            actions = actions.filter(
                Q(title__icontains=data["q"])
                | Q(reference__iexact=data["q"])
                | Q(description__icontains=data["q"])
            )
        if data["priority"]:
            actions = actions.filter(priority=data["priority"])
        if data["area"]:
            actions = actions.for_area(data["area"])
        if data["owner"]:
            actions = actions.filter(owner=data["owner"])
        if data["status"]:
            actions = actions.filter(status=data["status"])
        if data["rag"]:
            actions = actions.filter(current_rag=data["rag"])
        if data["overdue"]:
            actions = actions.overdue(on=today)
        if data["due_before"]:
            actions = actions.filter(due_date__lt=data["due_before"])
        if data["sort"]:
            sort = data["sort"].replace("owner", "owner__first_name")
            actions = actions.order_by(sort, "reference")
        return actions


class ActionStatusForm(Form):
    """The quick status change on a row of the action list."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=Status.choices)

    @classmethod
    def for_action(cls, action: Action, data=None) -> "ActionStatusForm":
        form = cls(
            data=data,
            initial={"version": action.version, "status": action.status},
            prefix=f"s{action.pk}",
        )
        form.fields["status"].label = f"Status of action {action.reference}"
        return form


# --- Leads running the plan ----------------------------------------------------------------


def plan_people():
    """Who can lead an action or be accountable for it: officers and leads who can sign in."""
    roles = [Role.OFFICER.value, Role.IMPROVEMENT_LEAD.value, Role.ADMINISTRATOR.value]
    return (
        User.objects.filter(is_active=True, groups__name__in=roles)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def person_label(user: User) -> str:
    return f"{user.display_name}, {user.job_title}" if user.job_title else user.display_name


def area_label(area: AreaForImprovement) -> str:
    return f"{area.label} ({area.inspection.get_kind_display()}, {area.inspection.start_date:%Y})"


def plan_areas(*, keep=()):
    """Areas the plan answers now (named by the latest graded inspection or a visit since),
    plus any already chosen."""
    keep_ids = [a.pk for a in keep]
    return (
        AreaForImprovement.objects.with_inspection()
        .filter(Q(pk__in=AreaForImprovement.objects.current().values("pk")) | Q(pk__in=keep_ids))
        .order_by("-inspection__start_date", "order")
    )


def priority_choices(*, keep: Priority | None = None):
    """Current priorities, plus the action's own if it has been retired since."""
    query = Q(retired=False)
    if keep is not None:
        query |= Q(pk=keep.pk)
    return Priority.objects.filter(query)


class ActionForm(Form):
    """What an action is and who answers for it: a lead adds or edits an action with it."""

    reference = forms.CharField(
        label="Reference (optional)",
        max_length=20,
        required=False,
        help_text="Leave blank for the next number in the priority, for example 2.4.",
    )
    title = forms.CharField(max_length=250, error_messages={"required": "Enter a title"})
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    priority = forms.ModelChoiceField(
        queryset=Priority.objects.none(), error_messages={"required": "Choose a priority"}
    )
    areas = forms.ModelMultipleChoiceField(
        label="Areas for improvement it answers",
        queryset=AreaForImprovement.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    owner = forms.ModelChoiceField(
        label="Lead officer",
        queryset=User.objects.none(),
        widget=FastSelect,
        error_messages={"required": "Choose a lead officer"},
    )
    accountable = forms.ModelChoiceField(
        label="Accountable senior manager",
        queryset=User.objects.none(),
        widget=FastSelect,
        error_messages={"required": "Choose an accountable senior manager"},
    )
    start_date = GovukDateField(
        label="Start date",
        error_messages={"required": "Enter a start date"},
    )
    due_date = GovukDateField(
        label="Due date",
        error_messages={"required": "Enter a due date"},
    )

    def __init__(self, *args, action: Action | None = None, chosen_areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        people = plan_people()
        for name in ("owner", "accountable"):
            self.fields[name].queryset = people
            self.fields[name].label_from_instance = person_label
        keep = list(chosen_areas) + (list(action.areas.all()) if action else [])
        self.fields["areas"].queryset = plan_areas(keep=keep)
        self.fields["areas"].label_from_instance = area_label
        self.fields["priority"].queryset = priority_choices(
            keep=action.priority if action else None
        )
        self.fields["owner"].empty_label = self.fields["accountable"].empty_label = "Choose someone"
        self.fields["priority"].empty_label = "Choose a priority"

    @classmethod
    def for_new(cls, *, area: AreaForImprovement | None = None, data=None) -> "ActionForm":
        start = timezone.localdate()
        initial = {"start_date": start, "areas": [area] if area else []}
        if area is not None:
            serving = Action.objects.for_area(area).select_related("priority").first()
            if serving is not None:
                initial["priority"] = serving.priority
        return cls(data=data, initial=initial, chosen_areas=[area] if area else [])


class ActionEditForm(ActionForm):
    """A lead's edit: everything but the reference (renumbered by priority), the baseline due
    date (set once) and progress (the officer's update)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    priority = forms.ModelChoiceField(
        queryset=Priority.objects.none(),
        help_text="The reference stays as it is. To change it, renumber the priority's actions.",
        error_messages={"required": "Choose a priority"},
    )
    due_date_reason = forms.CharField(
        label="Reason for changing the due date",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed only if you change the due date. The board sees it.",
    )
    field_order = [
        "version",
        "title",
        "description",
        "priority",
        "areas",
        "owner",
        "accountable",
        "start_date",
        "due_date",
        "due_date_reason",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["reference"]
        self.fields["due_date"].label = "Current due date"
        self.fields[
            "priority"
        ].help_text = "The reference stays as it is. To change it, renumber the priority's actions."
        self.order_fields(self.field_order)

    @classmethod
    def for_action(cls, action: Action, data=None) -> "ActionEditForm":
        initial = {
            "version": action.version,
            "title": action.title,
            "description": action.description,
            "priority": action.priority,
            "areas": list(action.areas.all()),
            "owner": action.owner,
            "accountable": action.accountable,
            "start_date": action.start_date,
            "due_date": action.due_date,
        }
        return cls(data=data, initial=initial, action=action)


class AddSeveralForm(Form):
    """What a few new actions for one area share. Each action's own row is an AddSeveralRow."""

    area = forms.ModelChoiceField(
        label="Area for improvement they answer",
        queryset=AreaForImprovement.objects.none(),
        widget=FastSelect,
        error_messages={"required": "Choose an area for improvement"},
    )
    priority = forms.ModelChoiceField(
        queryset=Priority.objects.none(), error_messages={"required": "Choose a priority"}
    )
    accountable = forms.ModelChoiceField(
        label="Accountable senior manager",
        queryset=User.objects.none(),
        widget=FastSelect,
        error_messages={"required": "Choose an accountable senior manager"},
    )
    start_date = GovukDateField(
        label="Start date",
        error_messages={"required": "Enter a start date"},
    )

    def __init__(self, *args, area: AreaForImprovement | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = plan_areas(keep=[area] if area else [])
        self.fields["area"].label_from_instance = area_label
        self.fields["area"].empty_label = "Choose an area"
        self.fields["priority"].queryset = priority_choices()
        self.fields["priority"].empty_label = "Choose a priority"
        self.fields["accountable"].queryset = plan_people()
        self.fields["accountable"].label_from_instance = person_label
        self.fields["accountable"].empty_label = "Choose someone"


class AddSeveralRow(Form):
    """One new action among several: left blank, the row is skipped."""

    title = forms.CharField(max_length=250, required=False)
    owner = forms.ModelChoiceField(
        label="Lead officer", queryset=User.objects.none(), widget=FastSelect, required=False
    )
    due_date = GovukDateField(label="Due date", required=False)

    def __init__(self, *args, number: int, people=None, **kwargs):
        super().__init__(*args, prefix=f"row{number}", **kwargs)
        self.number = number
        self.fields["owner"].queryset = people if people is not None else plan_people()
        self.fields["owner"].label_from_instance = person_label
        self.fields["owner"].empty_label = "Choose someone"
        for field in self.fields.values():
            field.label = f"{field.label} (action {number})"
        self.fields["title"].label = f"Title of action {number}"

    @property
    def is_blank(self) -> bool:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return not any(data.get(name) for name in ("title", "owner", "due_date"))

    def clean(self):
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        if any(data.get(n) for n in ("title", "owner", "due_date")) and not self.errors:
            missing = {"title": "Enter a title", "owner": "Choose a lead officer"}
            missing["due_date"] = "Enter a due date"
            for name, message in missing.items():
                if not data.get(name):
                    self.add_error(name, f"{message} for action {self.number}")
        return data

    def to_new_action(self) -> NewAction:
        data = self.cleaned_data
        return NewAction(title=data["title"], owner=data["owner"], due_date=data["due_date"])


class ActionCancelForm(Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why is this action being cancelled?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The board and the action's history show this.",
        error_messages={"required": "Give a reason for cancelling the action"},
    )


class PriorityForm(Form):
    title = forms.CharField(max_length=150, error_messages={"required": "Enter a title"})
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class RenumberForm(Form):
    """New references for the actions of one priority, one box each."""

    def __init__(self, *args, actions: list[Action], proposed: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.actions = actions
        for action in actions:
            self.fields[f"ref_{action.pk}"] = forms.CharField(
                label=f"{action.reference} {action.title}",
                max_length=20,
                initial=proposed.get(action.pk, action.reference),
                error_messages={"required": f"Enter a reference for action {action.reference}"},
            )
            self.fields[f"ref_{action.pk}"].widget.attrs["class"] = (
                "govuk-input govuk-input--width-5"
            )

    def references(self) -> dict[int, str]:
        return {a.pk: self.cleaned_data[f"ref_{a.pk}"] for a in self.actions}
