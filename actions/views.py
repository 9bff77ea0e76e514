from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts import permissions
from actions import dashboard as dashboard_data
from actions.forms import (
    ActionFilterForm,
    ActionStatusForm,
    ActionUpdateForm,
    EvidenceDocumentForm,
)
from actions.models import Action, Evidence, Status
from actions.services import (
    ActionChangedError,
    Change,
    action_for_edit,
    action_record_progress,
    evidence_add_document,
)
from audit.selectors import history_for
from medway_improve.forms import add_service_errors
from medway_improve.storage import file_download

PAGE_SIZE = 50


@require_GET
def dashboard(request: HttpRequest) -> TemplateResponse:
    context = dashboard_data.dashboard_context(today=timezone.localdate())
    return TemplateResponse(request, "actions/dashboard.html", context)


@require_GET
def action_list(request: HttpRequest, mine: bool = False) -> TemplateResponse:
    form = ActionFilterForm(request.GET or None)
    today = timezone.localdate()
    actions = Action.objects.for_list().with_rag(on=today)
    if mine:
        actions = actions.for_person(request.user)
    if form.is_valid():
        actions = form.apply(actions, today=today)
    page = Paginator(actions, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return TemplateResponse(
        request,
        "actions/action_list.html",
        {
            "form": form,
            "page": page,
            "mine": mine,
            "query": query.urlencode(),
            "today": today,
            "status_choices": Status.choices,
        },
    )


@require_GET
def action_detail(request: HttpRequest, pk: int) -> TemplateResponse:
    action = get_object_or_404(
        Action.objects.for_list().prefetch_related("areas__inspection"), pk=pk
    )
    return TemplateResponse(request, "actions/action_detail.html", _detail_context(request, action))


def _detail_context(request, action, form=None, conflict=None, document_form=None) -> dict:
    can_edit = permissions.can_edit_action(request.user, action)
    return {
        "action": action,
        "can_edit": can_edit,
        "form": form or (ActionUpdateForm.for_action(action) if can_edit else None),
        "document_form": document_form
        or (EvidenceDocumentForm.for_action(action) if can_edit else None),
        "conflict": conflict,
        "updates": action.updates.select_related("author"),
        "due_date_changes": action.due_date_changes.select_related("changed_by"),
        "evidence": action.evidence.select_related("added_by"),
        # Read only if the template shows it: the htmx update panel does not.
        "history": SimpleLazyObject(lambda: history_for(action)),
    }


@require_http_methods(["POST"])
def action_update(request: HttpRequest, pk: int) -> HttpResponse:
    action = action_for_edit(user=request.user, pk=pk)
    form = ActionUpdateForm.for_action(action, data=request.POST)
    conflict = None
    if form.is_valid():
        try:
            action = action_record_progress(
                user=request.user,
                pk=pk,
                expected_version=form.cleaned_data["version"],
                change=form.to_change(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except ActionChangedError as error:
            conflict = error
            action = error.action
            form = ActionUpdateForm.for_action(action)
        else:
            if request.htmx:
                action = Action.objects.for_list().get(pk=pk)
                context = _detail_context(request, action) | {"saved": True}
                return TemplateResponse(request, "actions/action_detail.html#update_panel", context)
            messages.success(request, f"Action {action.reference} updated.")
            return redirect(action)
    status = 409 if conflict else 422
    template = (
        "actions/action_detail.html#update_panel" if request.htmx else "actions/action_detail.html"
    )
    return TemplateResponse(
        request,
        template,
        _detail_context(request, action, form=form, conflict=conflict),
        status=status,
    )


@require_http_methods(["POST"])
def evidence_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a document as evidence (a plain multipart form: no JavaScript needed)."""
    action = action_for_edit(user=request.user, pk=pk)
    form = EvidenceDocumentForm.for_action(action, data=request.POST, files=request.FILES)
    if form.is_valid():
        try:
            evidence = evidence_add_document(
                user=request.user,
                action=action,
                uploaded_file=form.cleaned_data["document"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{evidence.original_name} added as evidence.")
            return redirect(action)
    return TemplateResponse(
        request,
        "actions/action_detail.html",
        _detail_context(request, action, document_form=form),
        status=422,
    )


@never_cache
@require_GET
def evidence_download(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponseBase:
    """A document given as evidence, only to signed-in people with a role (never from
    /media), and only under the action it belongs to."""
    if not permissions.can_view(request.user):
        raise PermissionDenied
    evidence = get_object_or_404(Evidence.objects.exclude(file=""), pk=evidence_pk, action_id=pk)
    return file_download(
        evidence.file,
        filename=evidence.original_name or evidence.file.name.rsplit("/", 1)[-1],
        content_type=evidence.content_type,
    )


@require_http_methods(["POST"])
def action_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Quick status change from a row of the action list; htmx swaps just the row."""
    action = action_for_edit(user=request.user, pk=pk)
    form = ActionStatusForm.for_action(action, data=request.POST)
    error = None
    if form.is_valid():
        try:
            action_record_progress(
                user=request.user,
                pk=pk,
                expected_version=form.cleaned_data["version"],
                change=Change(status=form.cleaned_data["status"]),
            )
        except ValidationError as invalid:
            error = " ".join(m for messages_ in invalid.message_dict.values() for m in messages_)
        except ActionChangedError as changed:
            error = str(changed)
    else:
        error = "Choose a status from the list."
    if not request.htmx:
        if error:
            messages.error(request, f"Action {action.reference} was not changed. {error}")
            return redirect(action)
        messages.success(request, f"Action {action.reference} updated.")
        next_url = request.POST.get("next", "")
        safe = url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()})
        return redirect(next_url if safe else "actions:action_list")
    action = Action.objects.for_list().with_rag(on=timezone.localdate()).get(pk=pk)
    return TemplateResponse(
        request,
        "actions/action_list.html#action_row",
        {
            "action": action,
            "row_error": error,
            "saved": error is None,
            "status_choices": Status.choices,
        },
        status=422 if error else 200,
    )
