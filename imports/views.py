"""Bringing existing material in (Ofsted documents, action-plan sheets, indicator values from
CSV) and the plan's export.

Imports are for improvement leads and administrators; the export is for anyone with a role.
Nothing is written to the plan or the inspections until the lead confirms.
"""

from __future__ import annotations

import csv
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import permissions
from actions.forms import ActionFilterForm
from actions.models import Action
from core.types import AuthenticatedHttpRequest
from imports import indicator_values, services
from imports.action_plan import (
    EXPORT_FORMATS,
    FIELDS,
    Lookups,
    build_preview,
    column_letter,
    export_actions,
    guess_columns,
    headings_of,
    sample_text,
)
from imports.forms import (
    ColumnMappingForm,
    ImportConfirmForm,
    IndicatorImportForm,
    OfstedReview,
    OfstedUploadForm,
    SheetChoiceForm,
    SpreadsheetUploadForm,
)
from imports.models import PendingUpload
from imports.ofsted import draft_summary
from imports.spreadsheets import SpreadsheetError
from kpis.models import Comparator, Indicator

PREVIEW_PAGE_SIZE = 200


def importers_only(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not permissions.can_import(request.user):
            raise PermissionDenied("Only improvement leads can import.")
        return view(request, *args, **kwargs)

    return wrapped


@require_GET
@importers_only
def import_start(request: AuthenticatedHttpRequest) -> TemplateResponse:
    return TemplateResponse(request, "imports/import_start.html", {})


# --- Ofsted documents ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@importers_only
def ofsted_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = (
        OfstedUploadForm(request.POST, request.FILES)
        if request.method == "POST"
        else OfstedUploadForm()
    )
    if request.method == "POST" and form.is_valid():
        try:
            drafts = services.ofsted_drafts_create(user=request.user, documents=form.documents())
        except services.OfstedUploadError as error:
            form.add_error("document" if form.cleaned_data["document"] else "text", error.messages)
        else:
            if len(drafts) == 1:
                return redirect("imports:ofsted_review", pk=drafts[0].pk)
            return redirect("imports:ofsted_batch", batch=drafts[0].details["batch"])
    status = 422 if request.method == "POST" else 200
    return TemplateResponse(request, "imports/ofsted_upload.html", {"form": form}, status=status)


@require_GET
@importers_only
def ofsted_batch(request: AuthenticatedHttpRequest, batch) -> HttpResponse:
    """The drafts read from several documents uploaded together, earliest visit first."""
    drafts = services.ofsted_batch_for(user=request.user, batch=str(batch))
    if not drafts:
        raise Http404("These documents have all been saved or cancelled, or were left for a day.")
    rows = [{"pending": draft, **draft_summary(draft.details)} for draft in drafts]
    context = {"drafts": rows, "batch": batch}
    return TemplateResponse(request, "imports/ofsted_batch.html", context)


@require_http_methods(["GET", "POST"])
@importers_only
def ofsted_review(request: AuthenticatedHttpRequest, pk) -> HttpResponse:
    pending = services.pending_upload_for(user=request.user, pk=pk, kind=PendingUpload.Kind.OFSTED)
    review = OfstedReview(pending.details, data=request.POST if request.method == "POST" else None)
    batch = pending.details.get("batch")
    if request.method == "POST" and review.is_valid():
        try:
            inspection = services.inspection_import(
                user=request.user, pending=pending, **review.cleaned()
            )
        except ValidationError as error:
            review.form.add_error(None, error)
        else:
            remaining = services.ofsted_batch_for(user=request.user, batch=batch) if batch else []
            if remaining:
                messages.success(
                    request,
                    f"Saved: {inspection.display_title}. Now check the next document "
                    f"({len(remaining)} left).",
                )
                return redirect("imports:ofsted_review", pk=remaining[0].pk)
            messages.success(request, f"Saved: {inspection.display_title}.")
            return redirect(inspection)
    status = 422 if request.method == "POST" else 200
    context = {
        "pending": pending,
        "review": review,
        "draft": pending.details,
        "batch": services.ofsted_batch_for(user=request.user, batch=batch) if batch else [],
    }
    return TemplateResponse(request, "imports/ofsted_review.html", context, status=status)


@require_POST
@importers_only
def upload_cancel(request: AuthenticatedHttpRequest, pk) -> HttpResponse:
    filename = services.pending_upload_discard(user=request.user, pk=pk)
    if filename:
        messages.success(request, f"Cancelled. Nothing from {filename} was saved.")
    return redirect("imports:import_start")


# --- Action plan spreadsheets --------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@importers_only
def action_plan_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = (
        SpreadsheetUploadForm(request.POST, request.FILES)
        if request.method == "POST"
        else SpreadsheetUploadForm()
    )
    if request.method == "POST" and form.is_valid():
        try:
            pending = services.action_plan_upload_create(
                user=request.user,
                content=form.cleaned_data["spreadsheet"],
                filename=request.FILES["spreadsheet"].name,  # type: ignore[union-attr,arg-type]
            )
        except SpreadsheetError as error:
            form.add_error("spreadsheet", str(error))
        else:
            if pending.details["remembered"]:
                messages.info(
                    request,
                    "These columns are read as they were the last time a sheet with the same "
                    "headings was imported.",
                )
                return redirect("imports:action_plan_preview", pk=pending.pk)
            return redirect("imports:action_plan_columns", pk=pending.pk)
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "max_rows": settings.IMPORT_MAX_ROWS}
    return TemplateResponse(request, "imports/action_plan_upload.html", context, status=status)


@require_http_methods(["GET", "POST"])
@importers_only
def action_plan_columns(request: AuthenticatedHttpRequest, pk) -> HttpResponse:
    pending = services.pending_upload_for(
        user=request.user, pk=pk, kind=PendingUpload.Kind.ACTION_PLAN
    )
    source = request.POST if request.method == "POST" else request.GET
    chosen_sheet = source.get("sheet") or pending.details["sheet"]
    try:
        sheet = services.read_pending_sheet(pending, sheet_name=chosen_sheet)
    except SpreadsheetError as error:
        messages.error(request, str(error))
        return redirect("imports:action_plan_upload")
    choice = SheetChoiceForm(
        {
            "sheet": sheet.name,
            "header_row": source.get("header_row") or pending.details["header_row"] + 1,
        },
        sheet_names=sheet.sheet_names,
        row_count=len(sheet.rows),
    )
    header_row = choice.cleaned_data["header_row"] - 1 if choice.is_valid() else 0
    headings = headings_of(sheet, header_row)
    samples = [[sample_text(v) for v in row] for row in sheet.rows[header_row + 1 : header_row + 6]]
    same_layout = (
        sheet.name == pending.details["sheet"] and header_row == pending.details["header_row"]
    )
    initial_columns = (
        pending.details.get("columns") if same_layout and pending.details.get("columns") else None
    )
    remembered = services.column_mapping_for(headings)
    if initial_columns is None:
        initial_columns = remembered.columns if remembered else guess_columns(headings)
    form = ColumnMappingForm(
        request.POST if request.method == "POST" else None,
        initial=ColumnMappingForm.initial_for(initial_columns),
        headings=headings,
        samples=samples,
    )
    if request.method == "POST" and choice.is_valid() and form.is_valid():
        services.column_mapping_remember(
            user=request.user,
            pending=pending,
            sheet=sheet.name,
            header_row=header_row,
            headings=headings,
            columns=form.columns(),
        )
        return redirect("imports:action_plan_preview", pk=pending.pk)
    context = {
        "pending": pending,
        "sheet": sheet,
        "choice": choice,
        "form": form,
        "remembered": remembered,
        "field_count": len(FIELDS),
    }
    status = 422 if request.method == "POST" else 200
    return TemplateResponse(request, "imports/action_plan_columns.html", context, status=status)


@require_http_methods(["GET", "POST"])
@importers_only
def action_plan_preview(request: AuthenticatedHttpRequest, pk) -> HttpResponse:
    pending = services.pending_upload_for(
        user=request.user, pk=pk, kind=PendingUpload.Kind.ACTION_PLAN
    )
    if not pending.details.get("columns"):
        return redirect("imports:action_plan_columns", pk=pending.pk)
    notice = None
    if request.method == "POST":
        confirm = ImportConfirmForm(request.POST)
        if confirm.is_valid():
            try:
                result = services.action_plan_import(
                    user=request.user,
                    pending=pending,
                    expected_fingerprint=confirm.cleaned_data["fingerprint"],
                )
            except services.PreviewChangedError as error:
                notice = str(error)
            except ValidationError as error:
                notice = " ".join(error.messages[:3])
            else:
                messages.success(
                    request,
                    f"Imported {pending.filename}: {len(result.created)} new "
                    f"action{'s' if len(result.created) != 1 else ''}, {len(result.updated)} "
                    f"updated, {len(result.unchanged)} unchanged.",
                )
                return redirect("actions:action_list")
    try:
        sheet = services.read_pending_sheet(pending)
    except SpreadsheetError as error:
        messages.error(request, str(error))
        return redirect("imports:action_plan_upload")
    preview = build_preview(
        sheet,
        header_row=pending.details["header_row"],
        columns=pending.details["columns"],
        today=timezone.localdate(),
        lookups=Lookups.load(),
    )
    show = request.GET.get("show", "problems" if preview.has_problems else "all")
    rows = {
        "problems": [r for r in preview.rows if r.problems],
        "changes": [r for r in preview.rows if r.outcome in {"new", "update"}],
    }.get(show, preview.rows)
    page = Paginator(rows, PREVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "pending": pending,
        "preview": preview,
        "counts": preview.counts,
        "page": page,
        "show": show,
        "query": f"show={show}",
        "notice": notice,
        "mapped": [
            (FIELDS[name].label, column_letter(index))
            for name, index in sorted(preview.columns.items(), key=lambda item: item[1])
        ],
        "confirm": ImportConfirmForm(initial={"fingerprint": preview.fingerprint}),
    }
    status = 409 if notice else 200
    return TemplateResponse(request, "imports/action_plan_preview.html", context, status=status)


# --- Export --------------------------------------------------------------------------------


@require_GET
def action_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The action list with the filters in the query string, as .csv or .xlsx
    (?format=csv|xlsx), in the columns the import reads."""
    if not permissions.can_export_actions(request.user):
        raise PermissionDenied
    file_format = request.GET.get("format", "xlsx")
    if file_format not in EXPORT_FORMATS:
        file_format = "xlsx"
    today = timezone.localdate()
    actions = Action.objects.for_list().with_rag(on=today)
    form = ActionFilterForm(request.GET)
    if form.is_valid():
        actions = form.apply(actions, today=today)
    content_type, extension = EXPORT_FORMATS[file_format]
    response = HttpResponse(
        export_actions(actions, file_format=file_format), content_type=content_type
    )
    filename = f"action-plan-{today:%Y-%m-%d}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def indicator_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload a CSV of values. All rows are saved, or none and a list of what to fix."""
    if not permissions.can_import_indicator_values(request.user):
        raise PermissionDenied("Only officers and improvement leads can import values.")
    form = IndicatorImportForm(request.POST or None, request.FILES or None)
    import_error = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = indicator_values.indicator_values_import(
                user=request.user,
                data=upload.read(),
                replace=form.cleaned_data["replace"],
            )
        except indicator_values.CsvImportError as error:
            import_error = error
        else:
            messages.success(
                request,
                f"Imported {result.total} value{'s' if result.total != 1 else ''} "
                f"({result.created} new, {result.updated} replaced) for "
                f"{', '.join(result.indicators)}.",
            )
            return redirect("kpis:indicator_list")
    status = 422 if (form.errors or import_error) else 200
    return TemplateResponse(
        request,
        "imports/indicator_import.html",
        {
            "form": form,
            "import_error": import_error,
            "required_columns": indicator_values.IMPORT_REQUIRED_COLUMNS,
            "optional_columns": indicator_values.IMPORT_OPTIONAL_COLUMNS,
            "max_rows": indicator_values.IMPORT_MAX_ROWS,
            "indicators": Indicator.objects.all(),
            "comparators": Comparator.objects.all(),
        },
        status=status,
    )


@require_GET
def indicator_import_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A CSV with the right columns and one example row per indicator."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="indicator-values.csv"'
    writer = csv.writer(response)
    writer.writerow(
        indicator_values.IMPORT_REQUIRED_COLUMNS + indicator_values.IMPORT_OPTIONAL_COLUMNS
    )
    for indicator in Indicator.objects.all():
        writer.writerow([indicator.code, "2024-03-31", "", "", "", "2023-24", "", ""])
    return response
