from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts import permissions
from boardpacks import rendering, services
from boardpacks.forms import BoardPackRequestForm
from boardpacks.models import BoardPack, Delivery
from core.storage import file_download
from core.types import AuthenticatedHttpRequest, HtmxHttpRequest


def _request_form(data=None) -> BoardPackRequestForm:
    today = timezone.localdate()
    return BoardPackRequestForm(data, today=today, initial_month=services.default_month(today))


def _list_text() -> dict:
    return {"board_name": settings.BOARD_NAME, "pack_day": settings.BOARD_PACK_DAY}


def _check_view(request: HttpRequest) -> None:
    if not permissions.can_view_board_packs(request.user):
        raise PermissionDenied


@require_GET
def boardpack_list(request: AuthenticatedHttpRequest) -> TemplateResponse:
    _check_view(request)
    can_generate = permissions.can_generate_board_pack(request.user)
    return TemplateResponse(
        request,
        "boardpacks/boardpack_list.html",
        {
            "packs": BoardPack.objects.for_list(),
            "form": _request_form() if can_generate else None,
            **_list_text(),
        },
    )


@require_http_methods(["POST"])
def boardpack_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not permissions.can_generate_board_pack(request.user):
        raise PermissionDenied("Only improvement leads can generate board packs.")
    form = _request_form(request.POST)
    if form.is_valid():
        try:
            pack = services.boardpack_request(
                user=request.user,
                month=form.cleaned_data["month"],
                meeting_date=form.cleaned_data["meeting_date"],
                send_to_board=form.cleaned_data["send_to_board"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return redirect(pack)
    return TemplateResponse(
        request,
        "boardpacks/boardpack_list.html",
        {
            "packs": BoardPack.objects.for_list(),
            "form": form,
            **_list_text(),
        },
        status=422,
    )


@never_cache
@require_GET
def boardpack_detail(request: HtmxHttpRequest, pk: int) -> TemplateResponse:
    """The pack's page. While it renders, htmx polls this URL every two seconds for the
    status panel alone (the panel stops polling once the pack is ready or failed)."""
    _check_view(request)
    pack = get_object_or_404(BoardPack.objects.select_related("requested_by"), pk=pk)
    deliveries = list(pack.deliveries.select_related("recipient"))
    sent_to = {d.recipient_id for d in deliveries if d.status == Delivery.Status.SENT}
    context = {
        "pack": pack,
        "deliveries": deliveries,
        "sending": any(d.status == Delivery.Status.PENDING for d in deliveries),
        "unsent": services.board_members().exclude(pk__in=sent_to).count(),
    }
    template = "boardpacks/boardpack_detail.html"
    if request.htmx and request.htmx.target == "status-panel":
        template += "#status_panel"
    return TemplateResponse(request, template, context)


@require_http_methods(["POST"])
def boardpack_send(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    pack = get_object_or_404(BoardPack, pk=pk)
    try:
        deliveries = services.boardpack_send(pack_id=pack.pk, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if deliveries:
            messages.success(
                request,
                f"Sending the pack to {len(deliveries)} board member"
                f"{'s' if len(deliveries) != 1 else ''}.",
            )
        else:
            messages.success(request, "Every board member has already been sent this pack.")
    return redirect(pack)


@require_http_methods(["POST"])
def boardpack_retry(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(BoardPack, pk=pk)
    try:
        pack = services.boardpack_retry(user=request.user, pk=pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("boardpacks:boardpack_detail", pk=pk)
    messages.success(request, "Trying the pack again.")
    return redirect(pack)


@require_GET
def boardpack_preview(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The HTML version, rendered from the pack's frozen data: what the board saw."""
    _check_view(request)
    pack = get_object_or_404(BoardPack, pk=pk)
    if not pack.data:
        raise Http404("This pack has no data yet.")
    html = rendering.render_html(
        pack.data,
        preview={
            "back_url": pack.get_absolute_url(),
            "download_url": reverse("boardpacks:boardpack_download", args=[pack.pk])
            if pack.is_ready
            else "",
        },
    )
    return HttpResponse(html)


@never_cache
@require_GET
def boardpack_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """The PDF, only to signed-in people allowed to see packs (never a public media URL)."""
    _check_view(request)
    pack = get_object_or_404(BoardPack, pk=pk)
    if not pack.is_ready:
        raise Http404("This pack is not ready.")
    return file_download(pack.pdf, filename=pack.filename, content_type="application/pdf")
