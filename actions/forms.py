import datetime as dt

from django import forms
from django.db.models import Exists, OuterRef, Q

from accounts.models import User
from actions.models import Action, Priority, Rag, Status
from actions.services import Change
from inspections.models import AreaForImprovement
from medway_improve.forms import FastSelect, Form


class ActionUpdateForm(Form):
    """An officer's update: what changed and what they want to say about it."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=Status.choices, widget=forms.RadioSelect)
    percent_complete = forms.IntegerField(label="Percent complete", min_value=0, max_value=100)
    due_date = forms.DateField(label="Current due date", widget=forms.DateInput)
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
    due_before = forms.DateField(label="Due before", required=False, widget=forms.DateInput)
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
