"""Writes for the Improvement Board: challenges and their thread, meetings, agenda items,
decisions, and turning a decision into an action in the plan."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import permissions
from accounts.models import Role, User
from actions.models import Action
from actions.services import action_create
from board.models import (
    ANSWER_WITHIN_DAYS,
    AgendaItem,
    Attendance,
    Challenge,
    ChallengeMessage,
    Decision,
    Meeting,
)
from core.storage import atomic_with_files, field_file_save, file_delete_on_commit
from inspections.models import AreaForImprovement
from kpis.models import Indicator
from risks.models import Risk

# --- Challenges -----------------------------------------------------------------------


def challenge_assignee_for(target) -> User:
    """Who answers a challenge about `target`.

    - An action, an indicator or a risk: its owner.
    - An area for improvement: the owner of its most recently started open action; if
      none is open, the accountable manager of its most recent action of any status; if
      the plan has no action for it at all, the longest-serving active improvement lead.
    A lead can pass any challenge on to someone else (`challenge_reassign`)."""
    if isinstance(target, Action | Indicator | Risk):
        return target.owner
    if isinstance(target, AreaForImprovement):
        latest = Action.objects.for_area(target).select_related("owner", "accountable")
        live = latest.open().order_by("-start_date", "-pk").first()
        if live is not None:
            return live.owner
        any_action = latest.order_by("-start_date", "-pk").first()
        if any_action is not None:
            return any_action.accountable
        lead = (
            User.objects.filter(is_active=True, groups__name=Role.IMPROVEMENT_LEAD.value)
            .order_by("date_joined", "pk")
            .first()
        )
        if lead is not None:
            return lead
        raise ValidationError(
            "Nobody can answer this yet: the plan has no action for it and there is no "
            "improvement lead. Ask an administrator to add one."
        )
    raise TypeError(f"A challenge cannot be about a {type(target).__name__}.")


@transaction.atomic
def challenge_raise(
    *,
    user,
    target,
    question: str,
    meeting: Meeting | None = None,
    now: dt.datetime | None = None,
) -> Challenge:
    """A board member puts a challenge or question about an action, an area for
    improvement, an indicator or a risk. It goes to the person who must answer it
    (`challenge_assignee_for`)."""
    if not permissions.can_raise_challenge(user):
        raise PermissionDenied("Only board members can raise challenges.")
    question = question.strip()
    if not question:
        raise ValidationError({"question": ["Write your challenge or question."]})
    now = now or timezone.now()
    challenge = Challenge(
        question=question,
        raised_by=user,
        raised_at=now,
        meeting=meeting,
        assigned_to=challenge_assignee_for(target),
        answer_due=timezone.localdate(now) + dt.timedelta(days=ANSWER_WITHIN_DAYS),
    )
    setattr(challenge, Challenge.target_field_for(target), target)
    challenge.save()
    return challenge


def challenge_for_view(*, user, pk: int) -> Challenge:
    if not permissions.can_view(user):
        raise PermissionDenied
    return Challenge.objects.for_list().select_related("action__owner").get(pk=pk)


def _locked(pk: int) -> Challenge:
    """The challenge, locked for the rest of the transaction so two replies cannot race."""
    return (
        Challenge.objects.for_list()
        .select_related("action__owner")
        .select_for_update(of=("self",))
        .get(pk=pk)
    )


@transaction.atomic
def challenge_answer(*, user, pk: int, text: str, now: dt.datetime | None = None) -> Challenge:
    """The assignee (or an officer owning the action, or a lead) answers."""
    challenge = _locked(pk)
    if not permissions.can_answer_challenge(user, challenge):
        raise PermissionDenied(
            "You can only answer challenges about actions you own or are accountable for."
        )
    if not challenge.is_awaiting_answer:
        raise ValidationError(
            {"text": ["This challenge is not waiting for an answer: someone may have replied."]}
        )
    text = text.strip()
    if not text:
        raise ValidationError({"text": ["Write your answer."]})
    now = now or timezone.now()
    ChallengeMessage.objects.create(
        challenge=challenge,
        author=user,
        kind=ChallengeMessage.Kind.ANSWER,
        text=text,
        created_at=now,
    )
    challenge.state = Challenge.State.ANSWERED
    challenge.answered_at = now
    challenge.save(update_fields=["state", "answered_at"])
    return challenge


@transaction.atomic
def challenge_accept(
    *, user, pk: int, comment: str = "", now: dt.datetime | None = None
) -> Challenge:
    """The member who raised it accepts the answer: the challenge is closed."""
    challenge = _locked(pk)
    if not permissions.can_close_challenge(user, challenge):
        raise PermissionDenied("Only the board member who raised a challenge can close it.")
    if challenge.state != Challenge.State.ANSWERED:
        raise ValidationError({"text": ["You can accept an answer once there is one to accept."]})
    now = now or timezone.now()
    comment = comment.strip()
    ChallengeMessage.objects.create(
        challenge=challenge,
        author=user,
        kind=ChallengeMessage.Kind.ACCEPT,
        text=comment,
        created_at=now,
    )
    challenge.state = Challenge.State.ACCEPTED
    challenge.closed_at = now
    challenge.outcome = comment
    challenge.save(update_fields=["state", "closed_at", "outcome"])
    return challenge


@transaction.atomic
def challenge_press(*, user, pk: int, text: str, now: dt.datetime | None = None) -> Challenge:
    """The member who raised it is not satisfied and asks again: it goes back to the
    assignee with a new answer-by date."""
    challenge = _locked(pk)
    if not permissions.can_close_challenge(user, challenge):
        raise PermissionDenied("Only the board member who raised a challenge can press for more.")
    if challenge.state != Challenge.State.ANSWERED:
        raise ValidationError({"text": ["You can press further once there is an answer."]})
    text = text.strip()
    if not text:
        raise ValidationError({"text": ["Say what is still missing from the answer."]})
    now = now or timezone.now()
    ChallengeMessage.objects.create(
        challenge=challenge,
        author=user,
        kind=ChallengeMessage.Kind.PRESS,
        text=text,
        created_at=now,
    )
    challenge.state = Challenge.State.PRESSED
    challenge.answer_due = timezone.localdate(now) + dt.timedelta(days=ANSWER_WITHIN_DAYS)
    challenge.save(update_fields=["state", "answer_due"])
    return challenge


@transaction.atomic
def challenge_reassign(
    *, user, pk: int, assignee: User, note: str = "", now: dt.datetime | None = None
) -> Challenge:
    """A lead passes a challenge to someone else to answer; the thread records it."""
    if not permissions.can_reassign_challenge(user):
        raise PermissionDenied("Only improvement leads can pass a challenge on.")
    challenge = _locked(pk)
    if challenge.is_closed:
        raise ValidationError({"assignee": ["This challenge is closed."]})
    if not (permissions.is_officer(assignee) or permissions.is_lead(assignee)):
        raise ValidationError({"assignee": ["Choose an officer or an improvement lead."]})
    if assignee.pk == challenge.assigned_to_id:
        raise ValidationError({"assignee": [f"It is already with {assignee.display_name}."]})
    text = f"Passed from {challenge.assigned_to.display_name} to {assignee.display_name}."
    if note.strip():
        text = f"{text} {note.strip()}"
    ChallengeMessage.objects.create(
        challenge=challenge,
        author=user,
        kind=ChallengeMessage.Kind.REASSIGN,
        text=text,
        created_at=now or timezone.now(),
    )
    challenge.assigned_to = assignee
    challenge.save(update_fields=["assigned_to"])
    return challenge


# --- Meetings -------------------------------------------------------------------------


def _require_meetings(user) -> None:
    if not permissions.can_manage_meetings(user):
        raise PermissionDenied("Only improvement leads can record board meetings.")


@atomic_with_files()
def meeting_save(
    *,
    user,
    meeting: Meeting,
    attendees,
    apologies,
    minutes_upload_name: str | None = None,
) -> Meeting:
    """Save a meeting (new or changed) and who came and who sent apologies.
    `minutes_upload_name` is the original name of a newly uploaded minutes document."""
    _require_meetings(user)
    attendees, apologies = set(attendees), set(apologies)
    both = attendees & apologies
    if both:
        names = ", ".join(sorted(p.display_name for p in both))
        raise ValidationError({"apologies": [f"{names} cannot both attend and send apologies."]})
    if minutes_upload_name is not None:
        meeting.minutes_filename = minutes_upload_name[:255]
    elif not meeting.minutes_file:
        meeting.minutes_filename = ""
    previous = (
        Meeting.objects.filter(pk=meeting.pk).values_list("minutes_file", flat=True).first()
        if meeting.pk
        else None
    )
    meeting.full_clean(exclude=["minutes_file"])
    upload = meeting.minutes_file
    if upload and not upload._committed:  # type: ignore[attr-defined]  # FieldFile's own flag
        # A new document: stored now, and taken back if the meeting is not saved.
        field_file_save(upload, upload.name, upload.file)  # type: ignore[arg-type]  # it has one
    meeting.save()
    if previous and previous != meeting.minutes_file.name:
        # A replaced or removed document goes once the change is safely saved.
        file_delete_on_commit(meeting.minutes_file.storage, previous)
    wanted = {p.pk: Attendance.Status.PRESENT for p in attendees} | {
        p.pk: Attendance.Status.APOLOGIES for p in apologies
    }
    meeting.attendance.exclude(person_id__in=wanted).delete()
    for person_id, status in wanted.items():
        Attendance.objects.update_or_create(
            meeting=meeting, person_id=person_id, defaults={"status": status}
        )
    return meeting


@transaction.atomic
def agenda_item_save(
    *, user, item: AgendaItem, actions, areas, indicators=None, risks=None
) -> AgendaItem:
    """Save an agenda item and what it was about. `indicators` and `risks` left as None
    keep the item's current ones."""
    _require_meetings(user)
    item.full_clean()
    item.save()
    item.actions.set(actions)
    item.areas.set(areas)
    if indicators is not None:
        item.indicators.set(indicators)
    if risks is not None:
        item.risks.set(risks)
    return item


@transaction.atomic
def agenda_item_delete(*, user, pk: int) -> Meeting:
    _require_meetings(user)
    item = AgendaItem.objects.select_related("meeting").get(pk=pk)
    item.delete()
    return item.meeting


@transaction.atomic
def decision_save(*, user, decision: Decision) -> Decision:
    _require_meetings(user)
    decision.full_clean()
    decision.save()
    return decision


@transaction.atomic
def decision_delete(*, user, pk: int) -> Meeting:
    _require_meetings(user)
    decision = Decision.objects.select_related("meeting").get(pk=pk)
    if decision.resulting_action_id:
        raise ValidationError("This decision became an action in the plan, so it stays.")
    decision.delete()
    return decision.meeting


@transaction.atomic
def decision_make_action(*, user, pk: int, **action_fields) -> Action:
    """Turn a decision or commitment into an action in the plan, linked back to it.
    `action_fields` are `actions.services.action_create`'s arguments."""
    if not permissions.can_manage_plan(user):
        raise PermissionDenied("Only improvement leads can add actions to the plan.")
    decision = Decision.objects.select_for_update().get(pk=pk)
    if decision.resulting_action_id:
        raise ValidationError(
            "This decision is already an action in the plan: "
            f"{Action.objects.get(pk=decision.resulting_action_id)}."
        )
    action = action_create(user=user, **action_fields)
    decision.resulting_action = action
    decision.save(update_fields=["resulting_action"])
    return action
