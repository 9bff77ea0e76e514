from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts import permissions
from actions.forms import (
    ActionCancelForm,
    ActionEditForm,
    ActionFilterForm,
    ActionForm,
    ActionStatusForm,
    ActionUpdateForm,
    AddSeveralForm,
    AddSeveralRow,
    EvidenceDocumentForm,
    PriorityForm,
    RenumberForm,
    plan_people,
)
from actions.models import Action, Evidence, Priority, Status
from actions.services import (
    ActionChangedError,
    Change,
    action_cancel,
    action_create,
    action_create_several,
    action_edit,
    action_for_edit,
    action_record_progress,
    evidence_add_document,
    priority_create,
    priority_move,
    priority_proposed_references,
    priority_renumber_actions,
    priority_retire,
    priority_update,
)
from audit.selectors import history_for
from core.forms import add_service_errors
from core.http import safe_next
from core.panels import panels_for
from core.storage import file_download
from core.types import AuthenticatedHttpRequest, HtmxHttpRequest
from inspections.models import AreaForImprovement

PAGE_SIZE = 50


@require_GET
def action_list(request: AuthenticatedHttpRequest, mine: bool = False) -> TemplateResponse:
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
            "panels": panels_for(
                "actions:my_actions" if mine else "actions:action_list", request=request
            ),
        },
    )


@require_GET
def action_detail(request: AuthenticatedHttpRequest, pk: int) -> TemplateResponse:
    action = get_object_or_404(
        Action.objects.for_list().prefetch_related("areas__inspection"), pk=pk
    )
    return TemplateResponse(request, "actions/action_detail.html", _detail_context(request, action))


def _detail_context(request, action, form=None, conflict=None, document_form=None) -> dict:
    can_edit = permissions.can_edit_action(request.user, action)
    return {
        "action": action,
        "form": form or (ActionUpdateForm.for_action(action) if can_edit else None),
        "document_form": document_form
        or (EvidenceDocumentForm.for_action(action) if can_edit else None),
        "conflict": conflict,
        "updates": action.updates.select_related("author"),
        "due_date_changes": action.due_date_changes.select_related("changed_by"),
        "evidence": action.evidence.select_related("added_by"),
        # Read only if the template shows it: the htmx update panel does not.
        "history": SimpleLazyObject(lambda: history_for(action)),
        "panels": SimpleLazyObject(
            lambda: panels_for("actions:action_detail", request=request, target=action)
        ),
    }


@require_http_methods(["POST"])
def action_update(request: HtmxHttpRequest, pk: int) -> HttpResponse:
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
                # The panel, and out of band the parts of the page the save changed (due-date
                # changes, progress updates, evidence), so the page stays true without a reload.
                action = Action.objects.for_list().get(pk=pk)
                context = _detail_context(request, action) | {"saved": True}
                return TemplateResponse(request, "actions/action_detail.html#saved", context)
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
def evidence_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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
def evidence_download(
    request: AuthenticatedHttpRequest, pk: int, evidence_pk: int
) -> HttpResponseBase:
    """A document given as evidence, only to signed-in people with a role (never from
    /media), and only under the action it belongs to."""
    if not permissions.can_view(request.user):
        raise PermissionDenied
    evidence = get_object_or_404(Evidence.objects.exclude(file=""), pk=evidence_pk, action_id=pk)
    return file_download(
        evidence.file,
        filename=evidence.original_name or (evidence.file.name or "").rsplit("/", 1)[-1],
        content_type=evidence.content_type,
    )


@require_http_methods(["POST"])
def action_status(request: HtmxHttpRequest, pk: int) -> HttpResponse:
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
        return redirect(safe_next(request, "actions:action_list"))
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


# --- Leads running the plan ----------------------------------------------------------------


def _require_plan_manager(request: HttpRequest) -> None:
    if not permissions.can_manage_plan(request.user):
        raise PermissionDenied("Only improvement leads change the plan.")


def _area_from_query(request: HttpRequest) -> AreaForImprovement | None:
    pk = request.GET.get("area") or request.POST.get("for_area")
    if not (pk and str(pk).isdigit()):
        return None
    return AreaForImprovement.objects.with_inspection().filter(pk=pk).first()


def _back_to(area: AreaForImprovement | None, action: Action):
    return redirect(area.get_absolute_url()) if area else redirect(action)


@require_http_methods(["GET", "POST"])
def action_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A lead adds one action; from an area's page the area comes chosen."""
    _require_plan_manager(request)
    area = _area_from_query(request)
    form = ActionForm.for_new(area=area, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            action = action_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Action {action.reference} added to the plan.")
            return redirect(action)
    return TemplateResponse(
        request,
        "actions/action_create.html",
        {"form": form, "area": area},
        status=422 if form.errors else 200,
    )


SEVERAL_ROWS = 3
SEVERAL_MAX_ROWS = 10


@require_http_methods(["GET", "POST"])
def action_create_several_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A lead adds a few actions for one area at once. "Add another action" posts the form
    back with one more row (no JavaScript needed)."""
    _require_plan_manager(request)
    area = _area_from_query(request)
    posted = request.POST if request.method == "POST" else None
    adding_row = posted is not None and "add_row" in posted
    count = SEVERAL_ROWS
    if posted is not None:
        rows_given = posted.get("rows", "")
        count = int(rows_given) if rows_given.isdigit() else SEVERAL_ROWS
        count = min(max(count + (1 if adding_row else 0), 1), SEVERAL_MAX_ROWS)
    bound = None if adding_row else posted
    initial: dict[str, object]
    if adding_row and posted is not None:
        initial = {
            "area": posted.get("area"),
            "priority": posted.get("priority"),
            "accountable": posted.get("accountable"),
            "start_date": _typed_date(posted, "start_date"),
        }
    else:
        initial = {"area": area, "start_date": timezone.localdate()}
        if area is not None:
            serving = Action.objects.for_area(area).select_related("priority").first()
            initial["priority"] = serving.priority if serving else None
    form = AddSeveralForm(bound, initial=initial, area=area)
    people = plan_people()
    rows = [
        AddSeveralRow(
            bound,
            initial=_row_initial(posted, n) if adding_row else None,
            number=n,
            people=people,
        )
        for n in range(1, count + 1)
    ]
    if bound is not None:
        rows_valid = [row.is_valid() for row in rows]  # every row, so each shows its errors
        valid = form.is_valid() & all(rows_valid)
        filled = [row for row in rows if row.is_valid() and not row.is_blank]
        if valid and not filled:
            form.add_error(
                None, "Give at least one action: a title, a lead officer and a due date."
            )
        elif valid:
            data = form.cleaned_data
            try:
                created = action_create_several(
                    user=request.user,
                    area=data["area"],
                    priority=data["priority"],
                    accountable=data["accountable"],
                    start_date=data["start_date"],
                    rows=[row.to_new_action() for row in filled],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                references = ", ".join(a.reference for a in created)
                messages.success(
                    request,
                    f"{len(created)} action{'s' if len(created) != 1 else ''} added to the "
                    f"plan: {references}.",
                )
                return redirect(data["area"].get_absolute_url())
    has_errors = bool(form.errors) or any(row.errors for row in rows if row.is_bound)
    return TemplateResponse(
        request,
        "actions/action_create_several.html",
        {
            "form": form,
            "rows": rows,
            "row_count": count,
            "area": area,
            "can_add_row": count < SEVERAL_MAX_ROWS,
            "errors": _several_errors(form, rows) if has_errors else [],
        },
        status=422 if has_errors else 200,
    )


def _row_initial(posted, number: int) -> dict:
    prefix = f"row{number}-"
    return {
        "title": posted.get(prefix + "title", ""),
        "owner": posted.get(prefix + "owner", ""),
        "due_date": _typed_date(posted, f"{prefix}due_date"),
    }


def _typed_date(posted, name: str) -> str:
    """A date as typed in the GOV.UK date input's boxes, to show again as typed."""
    day, month, year = (posted.get(f"{name}_{i}", "").strip() for i in range(3))
    return f"{year}-{month}-{day}" if day or month or year else ""


def _several_errors(form, rows) -> list[tuple[str, str]]:
    """(link, message) for the error summary, over the shared fields and every row."""
    found = [("#main-content", str(e)) for e in form.non_field_errors()]
    for each in [form, *[row for row in rows if row.is_bound]]:
        for field in each:
            suffix = "_0" if field.widget_type == "govukdate" else ""
            found += [(f"#{field.auto_id}{suffix}", str(e)) for e in field.errors]
    return found


@require_http_methods(["GET", "POST"])
def action_edit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A lead edits what an action is and who answers for it."""
    _require_plan_manager(request)
    action = get_object_or_404(Action.objects.for_list(), pk=pk)
    form = ActionEditForm.for_action(
        action, data=request.POST if request.method == "POST" else None
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            action = action_edit(
                user=request.user, pk=pk, expected_version=data.pop("version"), **data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except ActionChangedError as error:
            conflict = error
            form = ActionEditForm.for_action(error.action)
        else:
            messages.success(request, f"Action {action.reference} changed.")
            return redirect(action)
    return TemplateResponse(
        request,
        "actions/action_edit.html",
        {"form": form, "action": action, "conflict": conflict},
        status=409 if conflict else (422 if form.errors else 200),
    )


@require_http_methods(["GET", "POST"])
def action_cancel_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A lead cancels an action, with a reason. It is kept, with its history."""
    _require_plan_manager(request)
    action = get_object_or_404(Action.objects.for_list(), pk=pk)
    form = ActionCancelForm(
        request.POST if request.method == "POST" else None, initial={"version": action.version}
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            action = action_cancel(
                user=request.user,
                pk=pk,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except ActionChangedError as error:
            conflict = error
            form = ActionCancelForm(initial={"version": error.action.version})
        else:
            messages.success(request, f"Action {action.reference} cancelled.")
            return redirect(action)
    return TemplateResponse(
        request,
        "actions/action_cancel.html",
        {"form": form, "action": action, "conflict": conflict},
        status=409 if conflict else (422 if form.errors else 200),
    )


# --- Priorities ----------------------------------------------------------------------------


@require_GET
def priority_list(request: AuthenticatedHttpRequest) -> TemplateResponse:
    """The plan's priorities in order, with how many actions each has; leads change them."""
    _require_plan_manager(request)
    priorities = Priority.objects.annotate(
        total=Count("actions"), open_count=Count("actions", filter=is_open_q("actions__"))
    ).order_by("number")  # Meta.ordering does not apply to a grouped query
    return TemplateResponse(request, "actions/priority_list.html", {"priorities": priorities})


def is_open_q(prefix: str):
    return ~Q(**{f"{prefix}status__in": Status.closed()})


@require_http_methods(["GET", "POST"])
def priority_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_plan_manager(request)
    form = PriorityForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            priority = priority_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Priority {priority} added.")
            return redirect("actions:priority_list")
    return TemplateResponse(
        request,
        "actions/priority_form.html",
        {"form": form, "priority": None},
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def priority_update_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_plan_manager(request)
    priority = get_object_or_404(Priority, pk=pk)
    form = PriorityForm(
        request.POST if request.method == "POST" else None,
        initial={"title": priority.title, "description": priority.description},
    )
    if request.method == "POST" and form.is_valid():
        try:
            priority = priority_update(user=request.user, pk=pk, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Priority {priority} saved.")
            return redirect("actions:priority_list")
    return TemplateResponse(
        request,
        "actions/priority_form.html",
        {"form": form, "priority": priority},
        status=422 if form.errors else 200,
    )


@require_http_methods(["POST"])
def priority_move_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_plan_manager(request)
    get_object_or_404(Priority, pk=pk)
    moved, other = priority_move(user=request.user, pk=pk, up=request.POST.get("direction") == "up")
    if other is not None:
        messages.success(
            request,
            f"“{moved.title}” is now priority {moved.number} and “{other.title}” priority "
            f"{other.number}. References of their actions follow their numbers.",
        )
    return redirect("actions:priority_list")


@require_http_methods(["GET", "POST"])
def priority_retire_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Retire a priority (after a confirmation page), or bring a retired one back."""
    _require_plan_manager(request)
    priority = get_object_or_404(Priority, pk=pk)
    if request.method == "POST":
        retire = request.POST.get("retired", "yes") != "no"
        try:
            priority = priority_retire(user=request.user, pk=pk, retired=retire)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            word = "retired" if priority.retired else "back in the plan"
            messages.success(request, f"Priority {priority} is {word}.")
        return redirect("actions:priority_list")
    open_count = priority.actions.open().count()
    return TemplateResponse(
        request,
        "actions/priority_retire.html",
        {"priority": priority, "open_count": open_count},
    )


@require_http_methods(["GET", "POST"])
def priority_renumber_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """New references for a priority's actions, proposed as <priority>.1, .2 … in order."""
    _require_plan_manager(request)
    priority = get_object_or_404(Priority, pk=pk)
    actions = list(priority.actions.order_by("reference").only("reference", "title", "priority"))
    form = RenumberForm(
        request.POST if request.method == "POST" else None,
        actions=actions,
        proposed=priority_proposed_references(priority, actions),
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = priority_renumber_actions(
                user=request.user, pk=pk, references=form.references()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"{len(changed)} reference{'s' if len(changed) != 1 else ''} changed in "
                f"priority {priority}.",
            )
            return redirect("actions:priority_list")
    return TemplateResponse(
        request,
        "actions/priority_renumber.html",
        {"form": form, "priority": priority, "actions": actions},
        status=422 if form.errors else 200,
    )
