"""Forms for bringing an Ofsted document and an action-plan spreadsheet in."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import MaxValueValidator
from django.template.defaultfilters import filesizeformat

from core import uploads
from core.forms import Form, GovukDateField, GovukDateInput
from imports.action_plan import COLUMNS, FIELDS, REQUIRED_COLUMNS, column_letter
from imports.ofsted import (
    GRADES,
    area_choice_label,
    canonical_area,
    revisit_candidates,
    same_council,
    suggest_revisits,
)
from inspections.models import Grade, Inspection, JudgementArea
from inspections.short_titles import suggest_short_title


def _read_upload(upload: UploadedFile, limit: int, what: str) -> bytes:
    size = upload.size or 0
    if size > limit:
        raise forms.ValidationError(
            f"The file is {filesizeformat(size)}, which is over the "
            f"{filesizeformat(limit)} limit for {what}."
        )
    if upload.size == 0:
        raise forms.ValidationError("The file is empty.")
    return b"".join(upload.chunks())


# --- Ofsted document ---------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file input that takes one file or several (no JavaScript needed)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        files = [f for f in files if f]
        if not files:
            return super().clean(None, initial)
        if len(files) == 1:
            return [super().clean(files[0], initial)]
        cleaned, problems = [], []
        for upload in files:
            try:
                cleaned.append(super().clean(upload, initial))
            except forms.ValidationError as error:
                problems += [f"“{upload.name}”: {message}" for message in error.messages]
        if problems:
            raise forms.ValidationError(problems)
        return cleaned


class OfstedUploadForm(Form):
    MAX_FILES = 12

    document = MultipleFileField(
        label="Upload the reports or letters",
        required=False,
        help_text=(
            "The PDFs from the Ofsted website. You can choose several at once, for example a "
            "full inspection report and the visits after it. Scanned documents can’t be read."
        ),
        widget=MultipleFileInput(attrs={"accept": ".pdf,.txt,application/pdf,text/plain"}),
    )
    text = forms.CharField(
        label="Or paste the text of one report",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Open the report, select all of it, copy and paste it here.",
        strip=False,
    )

    def clean_document(self) -> list[tuple[bytes, str]]:
        """Each file's bytes and name. One error for each file that is too big or empty."""
        uploads = self.cleaned_data.get("document") or []
        if len(uploads) > self.MAX_FILES:
            raise forms.ValidationError(
                f"Choose {self.MAX_FILES} files or fewer at a time. You chose {len(uploads)}."
            )
        files, problems = [], []
        for upload in uploads:
            try:
                content = _read_upload(
                    upload, settings.IMPORT_MAX_DOCUMENT_BYTES, "Ofsted documents"
                )
            except forms.ValidationError as error:
                problems.append(f"“{upload.name}”: {error.messages[0]}")
            else:
                files.append((content, upload.name))
        if problems:
            raise forms.ValidationError(problems)
        return files

    def clean(self):
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        if self.errors:
            return data
        if not data.get("document") and not (data.get("text") or "").strip():
            self.add_error("document", "Choose the report’s PDF, or paste its text.")
        elif data.get("document") and (data.get("text") or "").strip():
            self.add_error("text", "Either upload files or paste text, not both.")
        return data

    def documents(self) -> list[tuple[bytes, str]]:
        """Each document's bytes and a file name for it."""
        if self.cleaned_data["document"]:
            return self.cleaned_data["document"]
        return [(self.cleaned_data["text"].encode("utf-8"), "pasted-text.txt")]


def find_duplicate(local_authority: str, kind: str, start: dt.date) -> Inspection | None:
    """An inspection already recorded for the same place, type and first day."""
    return (
        Inspection.objects.filter(
            local_authority__name__iexact=local_authority.strip(), kind=kind, start_date=start
        )
        .select_related("local_authority")
        .first()
    )


class OfstedReviewForm(Form):
    kind = forms.ChoiceField(
        label="Type", choices=Inspection.Kind.choices, widget=forms.RadioSelect
    )
    local_authority = forms.CharField(label="Local authority", max_length=120)
    title = forms.CharField(
        label="Title or theme (optional)",
        max_length=250,
        required=False,
        help_text="For example, the theme of a focused visit.",
    )
    start_date = GovukDateField(label="First day on site")
    end_date = GovukDateField(label="Last day on site")
    published_date = GovukDateField(label="Date of the letter or report (optional)", required=False)
    inspectors = forms.CharField(
        label="Inspectors (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One name on each line.",
    )
    framework = forms.CharField(label="Framework", max_length=120, required=False)
    save_duplicate = forms.BooleanField(
        label="Save it anyway: this is a different visit", required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.duplicate: Inspection | None = None

    def clean_inspectors(self) -> list[str]:
        names = [" ".join(line.split()) for line in self.cleaned_data["inspectors"].splitlines()]
        names = [name for name in names if name]
        for name in names:
            if len(name) > 120:
                raise forms.ValidationError(
                    "Each inspector’s name must be 120 characters or fewer."
                )
        return names

    def clean(self):
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        start, end, published = (data.get(k) for k in ("start_date", "end_date", "published_date"))
        if start and end and end < start:
            self.add_error("end_date", "The last day on site cannot be before the first day.")
        if start and published and published < start:
            self.add_error(
                "published_date", "The date of the letter cannot be before the visit started."
            )
        if data.get("kind") and data.get("local_authority") and start:
            self.duplicate = find_duplicate(data["local_authority"], data["kind"], start)
            if self.duplicate and not data.get("save_duplicate"):
                self.add_error(
                    "save_duplicate",
                    f"{self.duplicate.local_authority} already has "
                    f"{self.duplicate.kind_with_article} that started on "
                    f"{start:%-d %B %Y}. Check it is not the same one, or tick the box to save "
                    "this as another record.",
                )
        return data


class RowFormSet(forms.BaseFormSet):
    """Repeating rows with a GOV.UK "Remove this row" checkbox."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this row"
            form.fields["DELETE"].widget.attrs["class"] = "govuk-checkboxes__input"

    def kept_forms(self) -> list[forms.Form]:
        """The rows to save: not ticked for removal, and (for the blank extra rows) filled in."""
        kept = []
        for index, form in enumerate(self.forms):
            if self.can_delete and self._should_delete_form(form):
                continue
            if index >= self.initial_form_count() and not form.has_changed():
                continue
            kept.append(form)
        return kept


class JudgementRowForm(Form):
    wording = forms.CharField(
        label="Judgement area as the report words it",
        max_length=250,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    area = forms.TypedChoiceField(label="Standard judgement area", coerce=int)
    grade = forms.TypedChoiceField(
        label="Grade", coerce=int, choices=[("", "Choose a grade"), *Grade.choices]
    )

    def __init__(self, *args, areas: list[JudgementArea], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", "Choose the area")] + [(a.pk, a.name) for a in areas]


class JudgementFormSet(RowFormSet):
    def clean(self):
        super().clean()
        seen: dict[int, int] = {}
        for number, form in enumerate(self.kept_forms(), start=1):
            area = getattr(form, "cleaned_data", {}).get("area")
            if area is None:
                continue
            if area in seen:
                form.add_error(
                    "area", f"Judgement {seen[area]} is already for this area: choose another."
                )
            seen.setdefault(area, number)


class AreaRowForm(Form):
    text = forms.CharField(label="Area for improvement", widget=forms.Textarea(attrs={"rows": 3}))
    short_title = forms.CharField(
        label="Short title",
        max_length=120,
        required=False,
        help_text=(
            "The heading for this area on pages and in the board pack. Suggested from its "
            "opening words: change it to something clearer if you like."
        ),
    )
    is_priority_action = forms.BooleanField(label="Area for priority action", required=False)
    continues = forms.TypedChoiceField(
        label="Earlier area for improvement it carries forward (optional)",
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, revisit_choices: list[tuple], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["continues"].choices = [("", "None of these"), *revisit_choices]

    def clean(self):
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        if data.get("text") and not (data.get("short_title") or "").strip():
            data["short_title"] = suggest_short_title(data["text"])
        return data


class CoveredRowForm(Form):
    text = forms.CharField(label="Area covered", widget=forms.Textarea(attrs={"rows": 2}))
    revisits = forms.TypedChoiceField(
        label="Earlier area for improvement it revisits",
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, revisit_choices: list[tuple], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["revisits"].choices = [("", "None of these"), *revisit_choices]
        self.suggestion = None


JudgementForms = forms.formset_factory(
    JudgementRowForm, formset=JudgementFormSet, extra=1, can_delete=True, max_num=12
)
AreaForms = forms.formset_factory(
    AreaRowForm, formset=RowFormSet, extra=1, can_delete=True, max_num=40
)
CoveredForms = forms.formset_factory(
    CoveredRowForm, formset=RowFormSet, extra=1, can_delete=True, max_num=40
)


# Kinds whose document always has "What needs to improve" (or areas for priority action).
WARN_WITHOUT_AREAS = {
    Inspection.Kind.ILACS_STANDARD,
    Inspection.Kind.ILACS_SHORT,
    Inspection.Kind.FOCUSED_VISIT,
}


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


class OfstedReview:
    """The review page's forms: the inspection's details and three sets of rows, prefilled
    from the draft read from the document, with a suggested earlier area for each area
    covered."""

    def __init__(self, draft: dict, data=None):
        self.draft = draft
        self.areas = list(JudgementArea.objects.all())
        self.form = OfstedReviewForm(data=data, initial=self._initial(draft))
        if data is not None:
            self.form.is_valid()
        la, start = self._place_and_date()
        self.candidates = revisit_candidates(la, start)
        by_id = {area.pk: area for area in self.candidates}
        covered = draft.get("areas_covered") or []
        suggestions = suggest_revisits(covered, self.candidates)
        choices = [(area.pk, area_choice_label(area)) for area in self.candidates]
        self.judgements = JudgementForms(
            data=data,
            prefix="judgements",
            initial=[
                {
                    "wording": j["area"],
                    "area": getattr(canonical_area(j["area"], self.areas), "pk", None),
                    "grade": GRADES.get(j["grade"]),
                }
                for j in draft.get("judgements") or []
            ],
            form_kwargs={"areas": self.areas},
        )
        area_initial = [
            {"text": text, "is_priority_action": True}
            for text in draft.get("priority_actions") or []
        ] + [{"text": text} for text in draft.get("areas_for_improvement") or []]
        continues = suggest_revisits([row["text"] for row in area_initial], self.candidates)
        for row, suggestion in zip(area_initial, continues, strict=True):
            row["short_title"] = suggest_short_title(row["text"])
            row["continues"] = suggestion.area.pk if suggestion else None
        self.area_rows = AreaForms(
            data=data,
            prefix="areas",
            initial=area_initial,
            form_kwargs={"revisit_choices": choices},
        )
        self._explain_suggestions(self.area_rows, "continues", continues)
        self.covered = CoveredForms(
            data=data,
            prefix="covered",
            initial=[
                {"text": text, "revisits": suggestion.area.pk if suggestion else None}
                for text, suggestion in zip(covered, suggestions, strict=True)
            ],
            form_kwargs={"revisit_choices": choices},
        )
        self._explain_suggestions(self.covered, "revisits", suggestions)
        self.duplicate = self.form.duplicate
        if not self.form.is_bound and la and start and draft.get("inspection_type"):
            self.duplicate = find_duplicate(la, draft["inspection_type"], start)
        self.areas_by_id = {area.pk: area for area in self.areas}
        self.candidates_by_id = by_id
        self.warnings = self._warnings(la)

    def _explain_suggestions(self, formset, name: str, suggestions) -> None:
        """Say under each link why it was suggested, or that nothing close was found."""
        for index, form in enumerate(formset.forms):
            suggestion = suggestions[index] if index < len(suggestions) else None
            field = form.fields[name]
            if not self.candidates:
                field.help_text = (
                    "No earlier areas for improvement are recorded for this local authority."
                )
            elif suggestion:
                field.help_text = (
                    "Suggested because the wording is close to "
                    f"{area_choice_label(suggestion.area)}"
                )
            else:
                field.help_text = (
                    "No earlier area for improvement has similar wording: choose one if this "
                    "one revisits it."
                )
            field.widget.attrs["aria-describedby"] = f"id_{form.add_prefix(name)}_helptext"

    def _kind(self) -> str | None:
        if self.form.is_bound:
            return getattr(self.form, "cleaned_data", {}).get("kind") or self.form.data.get("kind")
        return self.draft.get("inspection_type")

    def _warnings(self, local_authority: str | None) -> list[str]:
        """What the lead must look at before saving: nothing read where the document should
        have it, or another council's document."""
        found = []
        kind = self._kind()
        what = Inspection.Kind.with_article(kind) if kind in Inspection.Kind.values else ""
        has_areas = self.draft.get("areas_for_improvement") or self.draft.get("priority_actions")
        if kind in WARN_WITHOUT_AREAS and not has_areas:
            found.append(
                f"No areas for improvement were read from this document, but {what} normally "
                "lists them under “What needs to improve”. Check the document and add them "
                "below."
            )
        if kind in Inspection.Kind.graded_kinds() and not self.draft.get("judgements"):
            found.append(
                f"No judgements were read from this document, but {what} is graded. Check "
                "the judgement table in the document and add each judgement below."
            )
        council = settings.COUNCIL_NAME
        if local_authority and not same_council(local_authority, council):
            found.append(
                f"This document is about {local_authority}, not {council}. Check it is the "
                "right one: it will be saved as another council’s inspection."
            )
        elif not local_authority:
            found.append(
                "No local authority was read from this document. Check it, and enter the "
                "council’s name below."
            )
        return found

    @staticmethod
    def _initial(draft: dict) -> dict:
        kind = draft.get("inspection_type")
        theme = " ".join((draft.get("theme") or "").split())
        return {
            "kind": kind,
            "local_authority": draft.get("local_authority") or "",
            "title": theme[:1].upper() + theme[1:250],
            "start_date": _date(draft.get("start_date")),
            "end_date": _date(draft.get("end_date")),
            "published_date": _date(draft.get("published_date")),
            "inspectors": "\n".join(draft.get("inspectors") or []),
            "framework": "JTAI" if kind == "jtai" else "ILACS",
        }

    def _place_and_date(self) -> tuple[str | None, dt.date | None]:
        if self.form.is_bound:
            data = getattr(self.form, "cleaned_data", {})
            return data.get("local_authority"), data.get("start_date")
        initial = self.form.initial
        return initial["local_authority"], initial["start_date"]

    @property
    def formsets(self):
        return [self.judgements, self.area_rows, self.covered]

    def is_valid(self) -> bool:
        valid = self.form.is_valid() and all(f.is_valid() for f in self.formsets)
        if valid:
            kind = self.form.cleaned_data["kind"]
            if self.judgements.kept_forms() and kind not in Inspection.Kind.graded_kinds():
                self.form.add_error(
                    "kind",
                    "Only ILACS inspections are graded: choose an ILACS type, or remove the "
                    "judgements.",
                )
                valid = False
        return valid

    def errors(self) -> list[tuple[str, str]]:
        """(link, message) for the error summary, in page order."""
        found = [
            (f"#{self.form[name].auto_id}{'_0' if self._first_box(name) else ''}", error)
            for name, errors in self.form.errors.items()
            if name in self.form.fields
            for error in errors
        ]
        found += [("#review-form", e) for e in self.form.non_field_errors()]
        for formset in self.formsets:
            found += [(f"#{formset.prefix}", e) for e in formset.non_form_errors()]
            for form in formset.forms:
                for name, errors in form.errors.items():
                    anchor = form[name].auto_id if name in form.fields else formset.prefix
                    found += [(f"#{anchor}", e) for e in errors]
        return found  # type: ignore[return-value]  # ErrorList yields its messages as str

    def _first_box(self, name: str) -> bool:
        """Radios and day/month/year boxes: the error links to the first input."""
        return name == "kind" or isinstance(self.form.fields[name].widget, GovukDateInput)

    def cleaned(self) -> dict:
        """Values for services.inspection_import."""
        details = dict(self.form.cleaned_data)
        details.pop("save_duplicate", None)
        return {
            "details": details,
            "judgements": [
                {
                    "wording": " ".join(f.cleaned_data["wording"].split()),
                    "area": self.areas_by_id[f.cleaned_data["area"]],
                    "grade": f.cleaned_data["grade"],
                }
                for f in self.judgements.kept_forms()
            ],
            "areas": [
                {
                    "text": " ".join(f.cleaned_data["text"].split()),
                    "short_title": " ".join(f.cleaned_data["short_title"].split()),
                    "is_priority_action": f.cleaned_data["is_priority_action"],
                    "continues": self.candidates_by_id.get(f.cleaned_data["continues"]),
                }
                for f in self.area_rows.kept_forms()
            ],
            "covered": [
                {
                    "text": " ".join(f.cleaned_data["text"].split()),
                    "revisits": self.candidates_by_id.get(f.cleaned_data["revisits"]),
                }
                for f in self.covered.kept_forms()
            ],
        }


# --- Action plan spreadsheet ---------------------------------------------------------------


class SpreadsheetUploadForm(Form):
    spreadsheet = forms.FileField(
        label="Upload the action plan",
        help_text="An Excel workbook (.xlsx) or a CSV file, with one action on each row.",
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,.csv,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean_spreadsheet(self) -> bytes:
        return _read_upload(
            self.cleaned_data["spreadsheet"],
            settings.IMPORT_MAX_SPREADSHEET_BYTES,
            "action plan spreadsheets",
        )


class SheetChoiceForm(Form):
    """Which worksheet, and which row holds the headings."""

    sheet = forms.ChoiceField(label="Worksheet")
    header_row = forms.IntegerField(label="Row with the column headings", min_value=1)

    def __init__(self, *args, sheet_names: list[str], row_count: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sheet"].choices = [(name, name) for name in sheet_names]
        last = max(1, row_count)
        self.fields["header_row"].validators.append(MaxValueValidator(last))
        self.fields["header_row"].widget.attrs["max"] = last


class ColumnMappingForm(Form):
    """For each column of the sheet, the field it holds (or none)."""

    def __init__(self, *args, headings: list[str], samples: list[list[str]], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "Do not import")] + [(c.field, c.label) for c in COLUMNS]
        self.headings = headings
        for index, heading in enumerate(headings):
            letter = column_letter(index)
            examples = [s[index] for s in samples if index < len(s) and s[index]][:3]
            hint = "For example: " + "; ".join(examples) if examples else "Empty in the first rows."
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=f"Column {letter}: {heading}" if heading else f"Column {letter} (no heading)",
                choices=choices,
                required=False,
                help_text=hint[:200],
            )
        # The mixin styled the fields made by the parent's __init__; style these the same way.
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("class", "govuk-select")
            field.widget.attrs["aria-describedby"] = f"id_{self.add_prefix(name)}_helptext"

    @classmethod
    def initial_for(cls, columns: dict[str, int]) -> dict[str, str]:
        return {f"column_{index}": name for name, index in columns.items()}

    def clean(self):
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        taken: dict[str, str] = {}
        for index, _heading in enumerate(self.headings):
            key = f"column_{index}"
            name = data.get(key)
            if not name:
                continue
            if name in taken:
                self.add_error(
                    key,
                    f"{FIELDS[name].label} is already column {taken[name]}: choose one column "
                    "for each field.",
                )
            taken.setdefault(name, column_letter(index))
        for name in REQUIRED_COLUMNS:
            if name not in taken:
                first = "column_0" if "column_0" in self.fields else None
                self.add_error(
                    first,
                    f"Choose the column that holds the {FIELDS[name].label.lower()}: "
                    "each action is matched on it.",
                )
        return data

    def columns(self) -> dict[str, int]:
        return {
            name: index
            for index in range(len(self.headings))
            if (name := self.cleaned_data.get(f"column_{index}"))
        }


class ImportConfirmForm(forms.Form):
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)


class IndicatorImportForm(Form):
    file = forms.FileField(
        label="Upload a CSV file",
        help_text=f"UTF-8 CSV, up to {uploads.format_size(settings.IMPORT_MAX_CSV_BYTES)}.",
    )
    replace = forms.BooleanField(
        label="Replace values already recorded for the same period",
        required=False,
        help_text="Otherwise a row for a period that already has a value is refused.",
    )
