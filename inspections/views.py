import mimetypes

from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from audit.selectors import history_for
from inspections.models import AreaForImprovement, Inspection
from inspections.selectors import golden_thread
from medway_improve.storage import file_download


@require_GET
def inspection_list(request: HttpRequest) -> TemplateResponse:
    inspections = Inspection.objects.newest_first().prefetch_related("judgements__area")
    return TemplateResponse(
        request, "inspections/inspection_list.html", {"inspections": inspections}
    )


@require_GET
def inspection_detail(request: HttpRequest, pk: int) -> TemplateResponse:
    inspection = get_object_or_404(
        Inspection.objects.select_related("local_authority").prefetch_related(
            "judgements__area",
            "strengths",
            "areas_covered__revisits",
        ),
        pk=pk,
    )
    areas = inspection.areas_for_improvement.prefetch_related("actions__owner")
    return TemplateResponse(
        request,
        "inspections/inspection_detail.html",
        {"inspection": inspection, "areas": areas, "history": history_for(inspection)},
    )


@require_GET
def area_detail(request: HttpRequest, pk: int) -> TemplateResponse:
    """The golden thread: where an area for improvement came from, what the plan does about
    it, what later visits found, and where it went next."""
    area = get_object_or_404(
        AreaForImprovement.objects.select_related("inspection", "continues__inspection"), pk=pk
    )
    return TemplateResponse(request, "inspections/area_detail.html", golden_thread(area))


@require_GET
def inspection_document(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The Ofsted document, served only to signed-in people with a role (never from /media)."""
    inspection = get_object_or_404(Inspection, pk=pk)
    if not inspection.source_document:
        raise Http404("No document is attached to this inspection.")
    return file_download(
        inspection.source_document,
        filename=inspection.source_document.name.rsplit("/", 1)[-1],
        content_type=mimetypes.guess_type(inspection.source_document.name)[0],
    )
