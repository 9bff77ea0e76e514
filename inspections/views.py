import mimetypes

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from accounts import permissions
from audit.selectors import history_for
from core.forms import add_service_errors
from core.panels import panels_for
from core.storage import file_download
from core.types import AuthenticatedHttpRequest, HtmxHttpRequest
from inspections import services
from inspections.forms import ROW_LISTS, InspectionForm, row_formset
from inspections.models import AreaForImprovement, Inspection, LocalAuthority
from inspections.selectors import golden_thread


@require_GET
def inspection_list(request: AuthenticatedHttpRequest) -> TemplateResponse:
    inspections = Inspection.objects.newest_first().prefetch_related("judgements__area")
    return TemplateResponse(
        request,
        "inspections/inspection_list.html",
        {
            "inspections": inspections,
        },
    )


@require_GET
def inspection_detail(request: AuthenticatedHttpRequest, pk: int) -> TemplateResponse:
    inspection = get_object_or_404(
        Inspection.objects.select_related("local_authority").prefetch_related(
            "judgements__area",
            "strengths",
            "areas_covered__revisits",
        ),
        pk=pk,
    )
    areas = inspection.areas_for_improvement.select_related("continues").prefetch_related(
        "actions__owner"
    )
    return TemplateResponse(
        request,
        "inspections/inspection_detail.html",
        {
            "inspection": inspection,
            "areas": areas,
            "history": history_for(inspection),
        },
    )


@require_GET
def area_detail(request: AuthenticatedHttpRequest, pk: int) -> TemplateResponse:
    """The golden thread: where an area for improvement came from, what the plan does about
    it, what later visits found, and where it went next."""
    area = get_object_or_404(
        AreaForImprovement.objects.select_related("inspection", "continues__inspection"), pk=pk
    )
    panels = panels_for("inspections:area_detail", request=request, target=area)
    return TemplateResponse(
        request, "inspections/area_detail.html", golden_thread(area) | {"panels": panels}
    )


@require_GET
def inspection_document(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """The Ofsted document, served only to signed-in people with a role (never from /media)."""
    inspection = get_object_or_404(Inspection, pk=pk)
    if not inspection.source_document:
        raise Http404("No document is attached to this inspection.")
    name = inspection.source_document.name or ""
    return file_download(
        inspection.source_document,
        filename=name.rsplit("/", 1)[-1],
        content_type=mimetypes.guess_type(name)[0],
    )


# --- A lead records and corrects inspections ---------------------------------------------


def _require_lead(request: HttpRequest) -> None:
    if not permissions.can_manage_inspections(request.user):
        raise PermissionDenied("Only improvement leads can change inspections.")


@require_http_methods(["GET", "POST"])
def inspection_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_lead(request)
    only = LocalAuthority.objects.order_by("pk")[:2]
    initial = {"local_authority": only[0].pk} if len(only) == 1 else {}
    form = InspectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            inspection = services.inspection_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{inspection.display_title} added.")
            return redirect(inspection)
    return _inspection_form(request, form, None)


@require_http_methods(["GET", "POST"])
def inspection_update(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_lead(request)
    inspection = get_object_or_404(Inspection, pk=pk)
    form = InspectionForm(request.POST or None, initial=InspectionForm.initial_for(inspection))
    if request.method == "POST" and form.is_valid():
        try:
            services.inspection_update(
                user=request.user, inspection=inspection, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Inspection details saved.")
            return redirect(inspection)
    return _inspection_form(request, form, inspection)


def _inspection_form(request, form, inspection) -> TemplateResponse:
    return TemplateResponse(
        request,
        "inspections/inspection_form.html",
        {"form": form, "inspection": inspection},
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def inspection_rows_update(request: HtmxHttpRequest, pk: int, section: str) -> HttpResponse:
    """One of an inspection's lists (judgements, areas for improvement, strengths, areas
    covered) as a form with a row each. "Add another row" re-shows the form with a blank
    row (in place with htmx; the whole page without JavaScript); "Save" saves the list."""
    _require_lead(request)
    rows = ROW_LISTS.get(section)
    if rows is None:
        raise Http404("No such list.")
    inspection = get_object_or_404(Inspection, pk=pk)
    choices = rows.choices(inspection)
    adding = request.method == "POST" and "add_row" in request.POST
    data = rows.data_with_another_row(request.POST) if adding else request.POST or None
    initial = rows.initial(inspection)
    # A blank row to start an empty list; otherwise "Add another" adds one.
    extra = 0 if data or initial else 1
    formset = row_formset(rows.kind, data=data, initial=initial, choices=choices, extra=extra)
    problems = []
    if request.method == "POST" and not adding and formset.is_valid():
        try:
            rows.save(user=request.user, inspection=inspection, rows=rows.cleaned(formset))
        except ValidationError as error:
            problems = error.messages
        else:
            messages.success(request, f"{rows.title} saved.")
            return redirect(f"{inspection.get_absolute_url()}#{rows.anchor}")
    context = {
        "inspection": inspection,
        "formset": formset,
        "rows": rows,
        "problems": problems,
        "action_url": reverse("inspections:inspection_rows_update", args=[pk, section]),
        "has_errors": bool(problems)
        or (request.method == "POST" and not adding and formset.errors),
    }
    template = "inspections/inspection_rows_form.html"
    if request.htmx and adding:
        template += "#row_list"
    return TemplateResponse(
        request, template, context, status=422 if context["has_errors"] else 200
    )


@require_http_methods(["GET", "POST"])
def inspection_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Remove a mistaken inspection with everything under it, after the lead confirms."""
    _require_lead(request)
    inspection = get_object_or_404(Inspection, pk=pk)
    problems = []
    if request.method == "POST":
        try:
            services.inspection_delete(user=request.user, inspection=inspection)
        except ValidationError as error:
            problems = error.messages
        else:
            messages.success(request, f"{inspection.display_title} removed.")
            return redirect("inspections:inspection_list")
    counts = {
        "judgements": inspection.judgements.count(),
        "areas": inspection.areas_for_improvement.count(),
        "strengths": inspection.strengths.count(),
        "areas_covered": inspection.areas_covered.count(),
    }
    return TemplateResponse(
        request,
        "inspections/inspection_delete.html",
        {
            "inspection": inspection,
            "counts": counts,
            "blockers": services.inspection_delete_blockers(inspection),
            "problems": problems,
        },
        status=422 if problems else 200,
    )
