import datetime as dt
import mimetypes

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import permissions
from board import selectors, services
from board.forms import (
    AgendaItemForm,
    ChallengeAnswerForm,
    ChallengePackPeriodForm,
    ChallengeRaiseForm,
    ChallengeReassignForm,
    ChallengeReplyForm,
    DecisionActionForm,
    DecisionForm,
    MeetingForm,
)
from board.models import AgendaItem, Challenge, ChallengeMessage, Decision, Meeting
from core.forms import add_service_errors
from core.http import safe_next
from core.storage import file_download
from core.types import AuthenticatedHttpRequest, HtmxHttpRequest

PAGE_SIZE = 50


def _require(allowed: bool, message: str = "") -> None:
    if not allowed:
        raise PermissionDenied(message)


# --- Meetings -------------------------------------------------------------------------


@require_GET
def meeting_list(request: AuthenticatedHttpRequest) -> TemplateResponse:
    today = timezone.localdate()
    counted = Meeting.objects.annotate(
        item_count=Count("agenda_items", distinct=True),
        decision_count=Count("decisions", distinct=True),
        challenge_count=Count("challenges", distinct=True),
    )
    page = Paginator(counted.past(on=today).order_by("-date", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return TemplateResponse(
        request,
        "board/meeting_list.html",
        {
            "upcoming": counted.upcoming(on=today),
            "page": page,
            "query": "",
        },
    )


@require_GET
def meeting_detail(request: AuthenticatedHttpRequest, pk: int) -> TemplateResponse:
    meeting = get_object_or_404(
        Meeting.objects.prefetch_related(
            "attendance__person",
            "agenda_items__actions",
            "agenda_items__areas__inspection",
            "agenda_items__indicators",
            "agenda_items__risks",
        ),
        pk=pk,
    )
    decisions = meeting.decisions.select_related(
        "action", "area", "indicator", "risk", "owner", "resulting_action", "agenda_item"
    )
    return TemplateResponse(
        request,
        "board/meeting_detail.html",
        {
            "meeting": meeting,
            "present": [a.person for a in meeting.attendance.all() if a.status == "present"],
            "apologies": [a.person for a in meeting.attendance.all() if a.status == "apologies"],
            "decisions": decisions,
            "challenges": meeting.challenges.for_list(),
        },
    )


@require_http_methods(["GET", "POST"])
def meeting_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(permissions.can_manage_meetings(request.user), "Only leads record meetings.")
    return _meeting_form(request, Meeting())


@require_http_methods(["GET", "POST"])
def meeting_update(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require(permissions.can_manage_meetings(request.user), "Only leads record meetings.")
    return _meeting_form(request, get_object_or_404(Meeting, pk=pk))


def _meeting_form(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    form = MeetingForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        instance=meeting,
    )
    if request.method == "POST" and form.is_valid():
        upload = request.FILES.get("minutes_file")
        meeting = form.save(commit=False)
        if form.cleaned_data.get("remove_minutes_file") and not upload:
            meeting.minutes_file = ""
        try:
            meeting = services.meeting_save(
                user=request.user,
                meeting=meeting,
                attendees=form.cleaned_data["attendees"],
                apologies=form.cleaned_data["apologies"],
                minutes_upload_name=upload.name if upload else None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{meeting} saved.")
            return redirect(meeting)
    return TemplateResponse(
        request,
        "board/meeting_form.html",
        {"form": form, "meeting": meeting if meeting.pk else None},
        status=422 if form.errors else 200,
    )


@require_GET
def meeting_minutes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """The minutes document, only for signed-in people with a role (never from /media)."""
    meeting = get_object_or_404(Meeting, pk=pk)
    if not meeting.minutes_file:
        raise Http404("No minutes document is attached to this meeting.")
    name = meeting.minutes_filename or (meeting.minutes_file.name or "").rsplit("/", 1)[-1]
    return file_download(
        meeting.minutes_file, filename=name, content_type=mimetypes.guess_type(name)[0]
    )


@require_http_methods(["GET", "POST"])
def agenda_item_create(request: AuthenticatedHttpRequest, meeting_pk: int) -> HttpResponse:
    _require(permissions.can_manage_meetings(request.user), "Only leads record meetings.")
    meeting = get_object_or_404(Meeting, pk=meeting_pk)
    return _agenda_item_form(request, AgendaItem(meeting=meeting))


@require_http_methods(["GET", "POST"])
def agenda_item_update(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require(permissions.can_manage_meetings(request.user), "Only leads record meetings.")
    return _agenda_item_form(
        request, get_object_or_404(AgendaItem.objects.select_related("meeting"), pk=pk)
    )


def _agenda_item_form(request: HttpRequest, item: AgendaItem) -> HttpResponse:
    form = AgendaItemForm(request.POST if request.method == "POST" else None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_item_save(
                user=request.user,
                item=form.save(commit=False),
                actions=form.cleaned_data["action_references"],
                areas=form.cleaned_data["areas"],
                indicators=form.cleaned_data["indicators"],
                risks=form.cleaned_data["risks"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Agenda item {item.order} saved.")
            return redirect(f"{item.meeting.get_absolute_url()}#agenda")
    return TemplateResponse(
        request,
        "board/agenda_item_form.html",
        {"form": form, "item": item, "meeting": item.meeting},
        status=422 if form.errors else 200,
    )


@require_POST
def agenda_item_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require(permissions.can_manage_meetings(request.user), "Only leads record meetings.")
    meeting = services.agenda_item_delete(user=request.user, pk=pk)
    messages.success(request, "Agenda item removed.")
    return redirect(f"{meeting.get_absolute_url()}#agenda")


@require_http_methods(["GET", "POST"])
def decision_create(request: AuthenticatedHttpRequest, meeting_pk: int) -> HttpResponse:
    _require(permissions.can_manage_meetings(request.user), "Only leads record meetings.")
    meeting = get_object_or_404(Meeting, pk=meeting_pk)
    return _decision_form(request, Decision(meeting=meeting))


@require_http_methods(["GET", "POST"])
def decision_update(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require(permissions.can_manage_meetings(request.user), "Only leads record meetings.")
    decision = get_object_or_404(Decision.objects.select_related("meeting", "action"), pk=pk)
    return _decision_form(request, decision)


def _decision_form(request: HttpRequest, decision: Decision) -> HttpResponse:
    form = DecisionForm(request.POST if request.method == "POST" else None, instance=decision)
    if request.method == "POST" and form.is_valid():
        decision = form.save(commit=False)
        decision.action = form.cleaned_data["action_reference"]
        try:
            services.decision_save(user=request.user, decision=decision)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{decision.get_kind_display()} {decision.order} saved.")
            return redirect(f"{decision.meeting.get_absolute_url()}#decisions")
    return TemplateResponse(
        request,
        "board/decision_form.html",
        {"form": form, "decision": decision, "meeting": decision.meeting},
        status=422 if form.errors else 200,
    )


@require_POST
def decision_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require(permissions.can_manage_meetings(request.user), "Only leads record meetings.")
    decision = get_object_or_404(Decision.objects.select_related("meeting"), pk=pk)
    try:
        services.decision_delete(user=request.user, pk=pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Decision removed.")
    return redirect(f"{decision.meeting.get_absolute_url()}#decisions")


@require_http_methods(["GET", "POST"])
def decision_make_action(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A lead turns a decision into an action in the plan: one form, prefilled."""
    _require(permissions.can_manage_plan(request.user), "Only leads add actions to the plan.")
    decision = get_object_or_404(
        Decision.objects.select_related("meeting", "action__priority", "area", "owner"), pk=pk
    )
    if decision.resulting_action_id:
        messages.error(request, "This decision is already an action in the plan.")
        return redirect(decision.resulting_action)  # type: ignore[arg-type]  # it has one
    form = DecisionActionForm.for_decision(
        decision, data=request.POST if request.method == "POST" else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            action = services.decision_make_action(user=request.user, pk=pk, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Action {action.reference} added to the plan from the board's "
                f"{decision.get_kind_display().lower()} of {decision.meeting.date:%-d %B %Y}.",
            )
            return redirect(action)
    return TemplateResponse(
        request,
        "board/decision_make_action.html",
        {"form": form, "decision": decision, "meeting": decision.meeting},
        status=422 if form.errors else 200,
    )


# --- Challenges -----------------------------------------------------------------------

SHOW: dict[str, tuple[str, list[str]]] = {
    "open": ("Open", [s for s in Challenge.State.values if s != Challenge.State.ACCEPTED]),
    "awaiting_answer": ("Waiting for an answer", Challenge.State.awaiting_answer()),
    "overdue": ("Answer overdue", Challenge.State.awaiting_answer()),
    "awaiting_board": ("Answered, waiting for the board", [Challenge.State.ANSWERED]),
    "closed": ("Closed", [Challenge.State.ACCEPTED]),
    "all": ("All", list(Challenge.State.values)),
}


@require_GET
def challenge_list(request: AuthenticatedHttpRequest) -> TemplateResponse:
    show = request.GET.get("show", "open")
    if show not in SHOW:
        show = "open"
    today = timezone.localdate()
    challenges = Challenge.objects.filter(state__in=SHOW[show][1]).for_list()
    if show == "overdue":
        challenges = challenges.filter(answer_due__lt=today)
    mine = request.GET.get("mine") == "1"
    if mine:
        challenges = challenges.filter(Q(raised_by=request.user) | Q(assigned_to=request.user))
    page = Paginator(challenges.order_by("-raised_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return TemplateResponse(
        request,
        "board/challenge_list.html",
        {
            "page": page,
            "show": show,
            "choices": [(key, label) for key, (label, _) in SHOW.items()],
            "mine": mine,
            "query": query.urlencode(),
            "today": today,
        },
    )


def board_section_context(request: HttpRequest, target, *, raise_form=None, raised=None) -> dict:
    """The challenges panel and "Seen by the board" for an action, area, indicator or
    risk page."""
    can_raise = permissions.can_raise_challenge(request.user)
    challenges = selectors.challenges_about(target)
    if can_raise and raise_form is None:
        try:
            assignee = services.challenge_assignee_for(target)
        except ValidationError:
            assignee = None
        raise_form = ChallengeRaiseForm(assignee=assignee)
    kind = selectors.target_kind(target)
    return {
        "target": target,
        "target_kind": kind,
        "target_noun": selectors.TARGET_NOUNS[kind],
        "live": [c for c in challenges if not c.is_closed],
        "closed": [c for c in challenges if c.is_closed],
        "raise_form": raise_form,
        "raise_url": reverse("board:challenge_create", args=[kind, target.pk]),
        "raised": raised,
        "seen": selectors.seen_by_board(target),
        "next": target.get_absolute_url(),
        "today": timezone.localdate(),
    }


@require_http_methods(["GET", "POST"])
def challenge_create(request: HtmxHttpRequest, kind: str, pk: int) -> HttpResponse:
    """Raise a challenge about an action, area, indicator or risk. From its page with
    htmx (the panel is swapped in place) or as a plain form."""
    _require(permissions.can_raise_challenge(request.user), "Only board members raise challenges.")
    target = selectors.target_for(kind, pk)
    form = ChallengeRaiseForm(request.POST if request.method == "POST" else None)
    raised = None
    if request.method == "POST" and form.is_valid():
        try:
            raised = services.challenge_raise(
                user=request.user,
                target=target,
                question=form.cleaned_data["question"],
                meeting=form.cleaned_data["meeting"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not request.htmx:
                messages.success(
                    request,
                    f"Your challenge has been sent to {raised.assigned_to.display_name}.",
                )
                return redirect(safe_next(request, target.get_absolute_url()))
    if request.htmx:
        context = board_section_context(
            request, target, raise_form=None if raised else form, raised=raised
        )
        return TemplateResponse(
            request,
            "board/includes/board_section.html#challenges",
            context,
            status=422 if form.errors else 200,
        )
    return TemplateResponse(
        request,
        "board/challenge_form.html",
        {"form": form, "target": target, "target_noun": selectors.TARGET_NOUNS[kind]},
        status=422 if form.errors else 200,
    )


def _challenge_with_thread(pk: int) -> Challenge:
    return get_object_or_404(
        Challenge.objects.for_list()
        .select_related("action__owner")
        .prefetch_related(
            Prefetch("messages", queryset=ChallengeMessage.objects.select_related("author"))
        ),
        pk=pk,
    )


def _card_context(request: HttpRequest, challenge: Challenge, **extra) -> dict:
    return {
        "challenge": challenge,
        "show_target": True,
        "today": timezone.localdate(),
        "next": safe_next(request, challenge.get_absolute_url()),
        **extra,
    }


@require_GET
def challenge_detail(request: AuthenticatedHttpRequest, pk: int) -> TemplateResponse:
    challenge = _challenge_with_thread(pk)
    context = _card_context(request, challenge, next=challenge.get_absolute_url())
    if permissions.can_reassign_challenge(request.user) and not challenge.is_closed:
        context["reassign_form"] = ChallengeReassignForm(prefix=f"r{challenge.pk}")
    return TemplateResponse(request, "board/challenge_detail.html", context)


def _reply(request: HtmxHttpRequest, pk: int, form_class, service, success: str) -> HttpResponse:
    """Answer, accept or press further: the same shape. htmx swaps the challenge's card;
    without JavaScript the browser goes back where it came from."""
    form = form_class(request.POST, prefix=f"c{pk}")
    if form.is_valid():
        try:
            challenge = service(user=request.user, pk=pk, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            notice = success.format(
                raised_by=challenge.raised_by.display_name,
                assigned_to=challenge.assigned_to.display_name,
            )
            if not request.htmx:
                messages.success(request, notice)
                return redirect(safe_next(request, challenge.get_absolute_url()))
            context = _card_context(request, _challenge_with_thread(pk), notice=notice)
            return TemplateResponse(request, "board/challenge_detail.html#challenge_card", context)
    challenge = _challenge_with_thread(pk)
    errors = [e for field_errors in form.errors.values() for e in field_errors]
    context = _card_context(
        request, challenge, card_error=" ".join(errors), card_text=request.POST.get(f"c{pk}-text")
    )
    template = "board/challenge_detail.html"
    if request.htmx:
        template += "#challenge_card"
    return TemplateResponse(request, template, context, status=422)


@require_POST
def challenge_answer(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    # Refuse before reading the form: someone who may not answer gets 403, not a form error.
    challenge = get_object_or_404(
        Challenge.objects.select_related("action", "indicator", "risk"), pk=pk
    )
    _require(
        permissions.can_answer_challenge(request.user, challenge),
        "You can only answer challenges about actions you own or are accountable for.",
    )
    return _reply(
        request,
        pk,
        ChallengeAnswerForm,
        services.challenge_answer,
        "Your answer has been sent to {raised_by}.",
    )


@require_POST
def challenge_accept(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    def accept(*, user, pk, text):
        return services.challenge_accept(user=user, pk=pk, comment=text)

    return _reply(
        request, pk, ChallengeReplyForm, accept, "You accepted the answer. The challenge is closed."
    )


@require_POST
def challenge_press(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _reply(
        request,
        pk,
        ChallengeReplyForm,
        services.challenge_press,
        "You pressed further. {assigned_to} has been asked to answer again.",
    )


@require_POST
def challenge_reassign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require(permissions.can_reassign_challenge(request.user), "Only leads pass challenges on.")
    form = ChallengeReassignForm(request.POST, prefix=f"r{pk}")
    if form.is_valid():
        try:
            challenge = services.challenge_reassign(user=request.user, pk=pk, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"The challenge is now with {challenge.assigned_to.display_name}."
            )
            return redirect(challenge)
    challenge = _challenge_with_thread(pk)
    context = _card_context(request, challenge, reassign_form=form)
    return TemplateResponse(request, "board/challenge_detail.html", context, status=422)


@require_GET
def challenge_pack(request: AuthenticatedHttpRequest) -> TemplateResponse:
    """The challenges section of the next board pack, print-friendly: from the last
    meeting to today unless dates are given."""
    today = timezone.localdate()
    last = Meeting.objects.past(on=today - dt.timedelta(days=1)).first()
    period = ChallengePackPeriodForm(request.GET)
    chosen = period.cleaned_data if period.is_valid() else {}
    since = chosen.get("since") or (last.date if last else today - dt.timedelta(days=30))
    until = chosen.get("until") or today
    error = None
    if period.errors:
        texts = (str(m) for ms in period.errors.values() for m in ms)
        problems = " ".join(dict.fromkeys(texts))
        error = f"{problems} The period shown is the default one."
    elif until < since:
        error = "The end date is before the start date, so they have been swapped."
        since, until = until, since
    return TemplateResponse(
        request,
        "board/challenge_pack.html",
        {
            "challenges": selectors.challenges_for_pack(since, until),
            "since": since,
            "until": until,
            "error": error,
        },
    )
