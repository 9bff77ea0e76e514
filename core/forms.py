"""GOV.UK Design System markup for Django forms: `{{ form }}` renders GOV.UK fields."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

_WIDGET_CLASSES = {
    "text": "govuk-input",
    "email": "govuk-input",
    "url": "govuk-input",
    "number": "govuk-input govuk-input--width-4",
    "password": "govuk-input govuk-password-input__input",
    "date": "govuk-input govuk-input--width-10",
    "textarea": "govuk-textarea",
    "select": "govuk-select",
    "fastselect": "govuk-select",
    "selectmultiple": "govuk-select",
    "radioselect": "govuk-radios__input",
    "checkboxselectmultiple": "govuk-checkboxes__input",
    "checkbox": "govuk-checkboxes__input",
    "clearablefile": "govuk-file-upload",
    "file": "govuk-file-upload",
    "multiplefile": "govuk-file-upload",
}
_ERROR_CLASSES = {
    "govuk-input": "govuk-input--error",
    "govuk-textarea": "govuk-textarea--error",
    "govuk-select": "govuk-select--error",
    "govuk-file-upload": "govuk-file-upload--error",
}


class FastSelect(forms.Select):
    """A select whose options are built in Python. Django renders each option through a
    template (about 0.1 ms each), which a filter with hundreds of owners or areas feels."""

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (
                    option["value"],
                    mark_safe(" selected") if option["selected"] else "",
                    option["label"],
                )
                for _, group, _ in context["optgroups"]
                for option in group
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', context["name"], flatatt(context["attrs"]), options
        )


class GovukDateInput(forms.MultiWidget):
    """The GOV.UK date input: day, month and year boxes in a fieldset. The field gets the
    date as "YYYY-M-D" (so an impossible date fails the field's own parsing); a single ISO
    value under the field's name (an older form, a test) is accepted as well."""

    template_name = "includes/govuk/date_input.html"

    def __init__(self, attrs=None):
        super().__init__([forms.TextInput(), forms.TextInput(), forms.TextInput()], attrs)

    def decompress(self, value):
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        if isinstance(value, str) and value.count("-") == 2:
            year, month, day = value.split("-")
            return [day, month, year]
        return [None, None, None]

    def value_from_datadict(self, data, files, name):
        if name in data:
            return data.get(name)
        day, month, year = (
            (data.get(f"{name}_{i}") or "").strip().replace("-", "") for i in range(3)
        )
        if not (day or month or year):
            return None
        return f"{year}-{month}-{day}"

    def value_omitted_from_data(self, data, files, name):
        return name not in data and not any(f"{name}_{i}" in data for i in range(3))

    def id_for_label(self, id_):
        return f"{id_}_0" if id_ else ""


class GovukDateField(forms.DateField):
    """A date typed as day, month and year (GOV.UK pattern), with GOV.UK error messages."""

    widget = GovukDateInput
    input_formats = ["%Y-%m-%d"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("help_text", "For example, 27 3 2026")
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if isinstance(value, str) and value.count("-") == 2:
            label = str(self.label or "The date").removesuffix(" (optional)")
            year, month, day = value.split("-")
            missing = [
                part
                for part, typed in (("day", day), ("month", month), ("year", year))
                if not typed
            ]
            if missing:
                raise ValidationError(
                    f"{label} must include a {' and '.join(missing)}", code="incomplete"
                )
            try:
                if len(year) != 4:
                    raise ValueError
                return dt.date(int(year), int(month), int(day))
            except ValueError:
                raise ValidationError(f"{label} must be a real date", code="invalid") from None
        return super().to_python(value)


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "includes/govuk/form.html"
    field_template_name = "includes/govuk/field.html"


class GovukFormMixin:
    """Adds GOV.UK classes, hint and error descriptions to every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            widget_type = type(widget).__name__.lower().removesuffix("input").removesuffix("widget")
            css = _WIDGET_CLASSES.get(widget_type, "govuk-input")
            widget.attrs["class"] = f"{css} {widget.attrs.get('class', '')}".strip()
            if isinstance(widget, forms.DateInput):
                widget.input_type = "date"
                widget.format = "%Y-%m-%d"
            if isinstance(widget, GovukDateInput):
                widget.attrs["class"] = "govuk-input govuk-date-input__input"
            if field.help_text:
                widget.attrs["aria-describedby"] = f"id_{self.add_prefix(name)}_helptext"

    def full_clean(self):
        super().full_clean()  # type: ignore[misc]  # a mixin: Form or ModelForm has it
        for name in self.errors:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            classes = widget.attrs.get("class", "")
            base = classes.split()[0] if classes else ""
            if base in _ERROR_CLASSES and _ERROR_CLASSES[base] not in classes:
                widget.attrs["class"] = f"{classes} {_ERROR_CLASSES[base]}"
            described = widget.attrs.get("aria-describedby", "")
            error_id = f"id_{self.add_prefix(name)}_error"
            if error_id not in described:
                widget.attrs["aria-describedby"] = f"{described} {error_id}".strip()


class PeriodDateField(forms.DateField):
    """A date that bounds a period to read or export: between FIRST and LAST, so a range
    like 0001-01-01 to 9999-12-31 is refused with a message instead of overflowing the
    date arithmetic behind it (a day after 31 December 9999 does not exist)."""

    FIRST = dt.date(2000, 1, 1)
    LAST = dt.date(2099, 12, 31)

    def validate(self, value):
        super().validate(value)
        if value and not (self.FIRST <= value <= self.LAST):
            raise ValidationError(
                f"Enter a date between {self.FIRST:%-d %B %Y} and {self.LAST:%-d %B %Y}.",
                code="out_of_range",
            )


class Form(GovukFormMixin, forms.Form):
    pass


class ModelForm(GovukFormMixin, forms.ModelForm):
    pass


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's validation errors on the form fields they belong to (the rest on the
    form as a whole), so the page shows them in the GOV.UK error pattern."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, field_errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, field_errors)
