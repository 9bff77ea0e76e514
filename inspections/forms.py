"""Forms a lead uses to record and correct an inspection. The lists (judgements, areas for
improvement, strengths, areas covered) are Django formsets of plain forms; their choices
(judgement areas, earlier areas for improvement) are read once per page and shared by every
row, so a long list costs no more queries than a short one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms

from core.forms import Form, GovukDateField
from inspections import services
from inspections.models import (
    AreaForImprovement,
    Grade,
    Inspection,
    JudgementArea,
    LocalAuthority,
)

NO_CHOICE = ("", "None")


class InspectionForm(Form):
    local_authority = forms.ModelChoiceField(
        label="Local authority", queryset=LocalAuthority.objects.all(), empty_label=None
    )
    kind = forms.ChoiceField(label="Kind of inspection or visit", choices=Inspection.Kind.choices)
    title = forms.CharField(
        label="Title or theme (optional)",
        required=False,
        max_length=250,
        help_text="For a visit, its theme, for example “Children in need and child "
        "protection plans”.",
    )
    start_date = GovukDateField(label="First day on site")
    end_date = GovukDateField(label="Last day on site")
    published_date = GovukDateField(
        label="Date of the letter or report (optional)",
        required=False,
    )
    inspectors = forms.CharField(
        label="Inspectors (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One name a line, lead inspector first.",
    )
    framework = forms.CharField(
        label="Framework (optional)", required=False, max_length=120, initial="ILACS"
    )
    summary = forms.CharField(
        label="Summary (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    source_url = forms.URLField(
        label="Link to the published report (optional)",
        required=False,
        assume_scheme="https",
    )

    @classmethod
    def initial_for(cls, inspection: Inspection) -> dict:
        return {
            "local_authority": inspection.local_authority_id,
            "kind": inspection.kind,
            "title": inspection.title,
            "start_date": inspection.start_date,
            "end_date": inspection.end_date,
            "published_date": inspection.published_date,
            "inspectors": "\n".join(inspection.inspectors),
            "framework": inspection.framework,
            "summary": inspection.summary,
            "source_url": inspection.source_url,
        }

    def clean_inspectors(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["inspectors"].splitlines()]

    def clean(self):
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The last day on site must be on or after the first day")
        published = data.get("published_date")
        if start and published and published < start:
            self.add_error(
                "published_date", "The letter or report date must be on or after the first day"
            )
        return data


# --- Rows --------------------------------------------------------------------------------


class RowForm(Form):
    """A row of one of an inspection's lists. `id` is the saved row's pk (empty for a new
    one); Django's formset adds the "Remove" box (`DELETE`)."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    order = forms.IntegerField(label="Position", required=False, min_value=1, max_value=999)

    def __init__(self, *args, choices: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, options in (choices or {}).items():
            self.fields[name].choices = options
        if "order" in self.fields:
            self.fields["order"].widget.attrs["class"] = "govuk-input govuk-input--width-3"

    def row(self) -> dict:
        data = dict(self.cleaned_data)
        data["delete"] = bool(data.pop("DELETE", False))
        return data


class JudgementRowForm(RowForm):
    order = None  # type: ignore[assignment]  # Django's way to drop an inherited field
    area = forms.TypedChoiceField(label="Judgement area", coerce=int, empty_value=None)
    wording = forms.CharField(
        label="As the report words it",
        required=False,
        max_length=250,
        help_text="Leave empty to use the area’s name.",
    )
    grade = forms.TypedChoiceField(
        label="Grade", coerce=int, empty_value=None, choices=[("", "Choose"), *Grade.choices]
    )


class AreaForImprovementRowForm(RowForm):
    text = forms.CharField(
        label="What needs to improve",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="As the report words it.",
    )
    short_title = forms.CharField(
        label="Short title (optional)",
        required=False,
        max_length=120,
        help_text="A few words for lists and charts.",
    )
    is_priority_action = forms.BooleanField(label="Area for priority action", required=False)
    continues = forms.TypedChoiceField(
        label="Continues an earlier area (optional)",
        required=False,
        coerce=int,
        empty_value=None,
    )


class StrengthRowForm(RowForm):
    text = forms.CharField(label="Strength", widget=forms.Textarea(attrs={"rows": 2}))


class AreaCoveredRowForm(RowForm):
    text = forms.CharField(
        label="Area the visit looked at", widget=forms.Textarea(attrs={"rows": 2})
    )
    revisits = forms.TypedChoiceField(
        label="Revisits an earlier area for improvement (optional)",
        required=False,
        coerce=int,
        empty_value=None,
    )
    finding = forms.CharField(
        label="What the inspectors found (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def earlier_area_choices(inspection: Inspection) -> list[tuple]:
    """Areas for improvement from inspections that started before this one, newest
    inspection first, grouped by inspection (one query)."""
    areas = (
        AreaForImprovement.objects.filter(inspection__start_date__lt=inspection.start_date)
        .select_related("inspection")
        .order_by("-inspection__start_date", "inspection_id", "order")
    )
    groups: dict[int, tuple[str, list]] = {}
    for area in areas:
        label = area.inspection.display_title
        groups.setdefault(area.inspection_id, (label, []))[1].append(
            (area.pk, f"{area.order}. {area.label}")
        )
    return [NO_CHOICE, *groups.values()]


def judgement_area_choices() -> list[tuple]:
    return [("", "Choose"), *((a.pk, a.name) for a in JudgementArea.objects.all())]


ROW_FORMS = {
    "judgements": JudgementRowForm,
    "areas": AreaForImprovementRowForm,
    "strengths": StrengthRowForm,
    "areas_covered": AreaCoveredRowForm,
}


class RowFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this row when saving"
            form.fields["DELETE"].widget.attrs["class"] = "govuk-checkboxes__input"


def row_formset(kind: str, *, data=None, initial: list[dict], choices: dict, extra: int = 1):
    formset_class = forms.formset_factory(
        ROW_FORMS[kind],
        formset=RowFormSet,
        extra=extra,
        can_delete=True,
        max_num=200,
        absolute_max=250,
    )
    return formset_class(data, initial=initial, prefix=kind, form_kwargs={"choices": choices})


# --- Which list is which ------------------------------------------------------------------


@dataclass(frozen=True)
class RowList:
    """One of an inspection's lists, as its edit page needs it: the row form's initial data
    and shared choices, and the service that saves the whole list."""

    kind: str
    title: str
    noun: str
    anchor: str
    hint: str
    save: Callable
    initial: Callable[[Inspection], list[dict]]
    choices: Callable[[Inspection], dict] = lambda inspection: {}

    @staticmethod
    def cleaned(formset) -> list[dict]:
        """The rows as the service takes them: blank new rows left out, removed rows as
        {"id": …, "delete": True}."""
        rows = []
        for index, form in enumerate(formset.forms):
            if index >= formset.initial_form_count() and not form.has_changed():
                continue
            if form.cleaned_data.get("DELETE"):
                if form.cleaned_data.get("id"):
                    rows.append({"id": form.cleaned_data["id"], "delete": True})
                continue
            rows.append(form.row())
        return rows

    def data_with_another_row(self, post) -> dict:
        data = post.copy()
        key = f"{self.kind}-TOTAL_FORMS"
        try:
            data[key] = str(int(data.get(key, "0")) + 1)
        except ValueError:
            data[key] = "1"
        return data


# By the section's name in the URL (its anchor on the inspection's page).
ROW_LISTS = {
    "judgements": RowList(
        kind="judgements",
        title="Judgements",
        noun="Judgement",
        anchor="judgements",
        hint="Only full inspections are graded. Leave the wording empty to use the area’s name.",
        save=services.judgements_save,
        initial=lambda inspection: [
            {"id": j.pk, "area": j.area_id, "wording": j.wording, "grade": j.grade}
            for j in inspection.judgements.order_by("area__order", "pk")
        ],
        choices=lambda inspection: {"area": judgement_area_choices()},
    ),
    "areas-for-improvement": RowList(
        kind="areas",
        title="Areas for improvement",
        noun="Area for improvement",
        anchor="areas-for-improvement",
        hint="Positions are renumbered 1, 2, 3… in the order you give. An area can continue "
        "one from an earlier inspection.",
        save=services.areas_for_improvement_save,
        initial=lambda inspection: [
            {
                "id": a.pk,
                "order": a.order,
                "text": a.text,
                "short_title": a.short_title,
                "is_priority_action": a.is_priority_action,
                "continues": a.continues_id,
            }
            for a in inspection.areas_for_improvement.order_by("order")
        ],
        choices=lambda inspection: {"continues": earlier_area_choices(inspection)},
    ),
    "strengths": RowList(
        kind="strengths",
        title="Strengths",
        noun="Strength",
        anchor="strengths",
        hint="Positions are renumbered 1, 2, 3… in the order you give.",
        save=services.strengths_save,
        initial=lambda inspection: [
            {"id": s.pk, "order": s.order, "text": s.text}
            for s in inspection.strengths.order_by("order", "pk")
        ],
    ),
    "areas-covered": RowList(
        kind="areas_covered",
        title="Areas covered by the visit",
        noun="Area covered",
        anchor="areas-covered",
        hint="Link each area to the earlier area for improvement it revisits, so that area’s "
        "page shows what the visit found.",
        save=services.areas_covered_save,
        initial=lambda inspection: [
            {
                "id": c.pk,
                "order": c.order,
                "text": c.text,
                "revisits": c.revisits_id,
                "finding": c.finding,
            }
            for c in inspection.areas_covered.order_by("order")
        ],
        choices=lambda inspection: {"revisits": earlier_area_choices(inspection)},
    ),
}
