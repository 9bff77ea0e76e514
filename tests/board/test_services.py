import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, ProgrammingError, transaction
from django.utils import timezone

from accounts.models import Role
from actions.models import Action, Status
from board import services
from board.models import ANSWER_WITHIN_DAYS, Attendance, Challenge, ChallengeMessage, Decision
from tests.factories import ActionFactory, DecisionFactory, PriorityFactory, UserFactory

pytestmark = pytest.mark.django_db


def raise_about(target, member, question="Why is this still red?", **kwargs):
    return services.challenge_raise(user=member, target=target, question=question, **kwargs)


def test_the_whole_cycle_raise_answer_press_answer_accept(board_member, officer, action):
    challenge = raise_about(action, board_member)
    assert (challenge.state, challenge.assigned_to) == (Challenge.State.OPEN, officer)
    assert challenge.answer_due == timezone.localdate() + dt.timedelta(days=ANSWER_WITHIN_DAYS)

    challenge = services.challenge_answer(user=officer, pk=challenge.pk, text="Data is late.")
    assert challenge.state == Challenge.State.ANSWERED
    assert challenge.answered_at is not None

    challenge = services.challenge_press(
        user=board_member, pk=challenge.pk, text="Late by how long, and why?"
    )
    assert challenge.state == Challenge.State.PRESSED
    assert challenge.closed_at is None

    challenge = services.challenge_answer(user=officer, pk=challenge.pk, text="Six weeks.")
    challenge = services.challenge_accept(user=board_member, pk=challenge.pk, comment="Thanks")
    assert challenge.state == Challenge.State.ACCEPTED
    assert challenge.closed_at is not None
    assert challenge.outcome == "Thanks"

    thread = list(challenge.messages.values_list("kind", "author__username", "text"))
    assert thread == [
        ("answer", officer.username, "Data is late."),
        ("press", board_member.username, "Late by how long, and why?"),
        ("answer", officer.username, "Six weeks."),
        ("accept", board_member.username, "Thanks"),
    ]
    # The stored state is always what the thread says.
    assert Challenge.state_after(k for k, _, _ in thread) == challenge.state


def test_raise_answer_accept_without_pressing(board_member, officer, action):
    challenge = raise_about(action, board_member)
    services.challenge_answer(user=officer, pk=challenge.pk, text="Done.")
    challenge = services.challenge_accept(user=board_member, pk=challenge.pk)
    assert challenge.state == Challenge.State.ACCEPTED
    assert challenge.messages.last().text == ""


def test_pressing_further_restarts_the_answer_clock(board_member, officer, action):
    raised = timezone.now() - dt.timedelta(days=30)
    challenge = raise_about(action, board_member, now=raised)
    services.challenge_answer(
        user=officer, pk=challenge.pk, text="A", now=raised + dt.timedelta(days=1)
    )
    challenge = services.challenge_press(user=board_member, pk=challenge.pk, text="More?")
    assert challenge.answer_due == timezone.localdate() + dt.timedelta(days=ANSWER_WITHIN_DAYS)


def test_accepting_before_an_answer_is_refused(board_member, action):
    challenge = raise_about(action, board_member)
    with pytest.raises(ValidationError):
        services.challenge_accept(user=board_member, pk=challenge.pk)
    with pytest.raises(ValidationError):
        services.challenge_press(user=board_member, pk=challenge.pk, text="Well?")


def test_answering_twice_without_being_pressed_is_refused(board_member, officer, action):
    challenge = raise_about(action, board_member)
    services.challenge_answer(user=officer, pk=challenge.pk, text="One")
    with pytest.raises(ValidationError, match="not waiting for an answer"):
        services.challenge_answer(user=officer, pk=challenge.pk, text="Two")


def test_a_closed_challenge_takes_no_more_replies(board_member, officer, action):
    challenge = raise_about(action, board_member)
    services.challenge_answer(user=officer, pk=challenge.pk, text="One")
    services.challenge_accept(user=board_member, pk=challenge.pk)
    with pytest.raises(ValidationError):
        services.challenge_press(user=board_member, pk=challenge.pk, text="Actually…")
    with pytest.raises(ValidationError):
        services.challenge_answer(user=officer, pk=challenge.pk, text="More")


def test_empty_question_answer_or_press_is_refused_with_a_message(board_member, officer, action):
    with pytest.raises(ValidationError) as error:
        raise_about(action, board_member, question="   ")
    assert error.value.message_dict == {"question": ["Write your challenge or question."]}
    challenge = raise_about(action, board_member)
    with pytest.raises(ValidationError, match="Write your answer"):
        services.challenge_answer(user=officer, pk=challenge.pk, text=" ")
    services.challenge_answer(user=officer, pk=challenge.pk, text="ok")
    with pytest.raises(ValidationError, match="still missing"):
        services.challenge_press(user=board_member, pk=challenge.pk, text="")
    assert Challenge.objects.get(pk=challenge.pk).state == Challenge.State.ANSWERED


@pytest.mark.parametrize("who", ["officer", "lead", "administrator", "other_officer"])
def test_only_board_members_raise_challenges(request, who, action):
    user = request.getfixturevalue(who)
    if who == "administrator":
        user.is_superuser = False
        user.save()
    with pytest.raises(PermissionDenied):
        raise_about(action, user)
    assert not Challenge.objects.exists()


def test_another_officer_and_board_members_cannot_answer(
    board_member, second_member, other_officer, action
):
    challenge = raise_about(action, board_member)
    for user in (other_officer, board_member, second_member):
        with pytest.raises(PermissionDenied):
            services.challenge_answer(user=user, pk=challenge.pk, text="Not mine")
    assert not challenge.messages.exists()


def test_accountable_manager_and_any_lead_can_answer(board_member, lead, action):
    challenge = raise_about(action, board_member)
    services.challenge_answer(user=action.accountable, pk=challenge.pk, text="Accountable")
    services.challenge_press(user=board_member, pk=challenge.pk, text="And?")
    services.challenge_answer(user=lead, pk=challenge.pk, text="Lead")
    assert challenge.messages.filter(kind="answer").count() == 2


def test_only_the_member_who_raised_it_closes_or_presses(
    board_member, second_member, officer, lead, action
):
    challenge = raise_about(action, board_member)
    services.challenge_answer(user=officer, pk=challenge.pk, text="Answer")
    for user in (second_member, officer, lead):
        with pytest.raises(PermissionDenied):
            services.challenge_accept(user=user, pk=challenge.pk)
        with pytest.raises(PermissionDenied):
            services.challenge_press(user=user, pk=challenge.pk, text="Hmm")
    assert Challenge.objects.get(pk=challenge.pk).state == Challenge.State.ANSWERED


def test_raising_a_challenge_changes_nothing_in_the_plan(board_member, action):
    before = Action.objects.values().get(pk=action.pk)
    raise_about(action, board_member)
    assert Action.objects.values().get(pk=action.pk) == before


# --- Who answers --------------------------------------------------------------------


def test_area_challenge_goes_to_the_owner_of_its_most_recent_open_action(
    board_member, area, officer, other_officer, today
):
    ActionFactory(owner=other_officer, areas=[area], start_date=today - dt.timedelta(days=300))
    ActionFactory(owner=officer, areas=[area], start_date=today - dt.timedelta(days=10))
    ActionFactory(
        owner=UserFactory(role=Role.OFFICER),
        areas=[area],
        start_date=today - dt.timedelta(days=5),
        status=Status.CANCELLED,
    )
    assert raise_about(area, board_member).assigned_to == officer


def test_area_with_only_closed_actions_goes_to_the_accountable_manager(board_member, area, today):
    done = ActionFactory(
        areas=[area], status=Status.COMPLETE, completed_date=today, percent_complete=100
    )
    assert raise_about(area, board_member).assigned_to == done.accountable


def test_area_with_no_actions_goes_to_the_improvement_lead(board_member, area, lead):
    assert raise_about(area, board_member).assigned_to == lead


def test_area_with_no_actions_and_no_lead_is_refused_clearly(board_member, area):
    with pytest.raises(ValidationError, match="no improvement lead"):
        raise_about(area, board_member)


def test_officer_assigned_an_area_challenge_can_answer_it(board_member, area, area_action, officer):
    challenge = raise_about(area, board_member)
    services.challenge_answer(user=officer, pk=challenge.pk, text="On it")
    challenge.refresh_from_db()
    assert challenge.is_awaiting_answer is False
    assert [(m.author, m.text) for m in challenge.messages.all()][-1] == (officer, "On it")


def test_lead_passes_a_challenge_on_and_the_thread_says_so(
    board_member, officer, other_officer, lead, action
):
    challenge = raise_about(action, board_member)
    challenge = services.challenge_reassign(
        user=lead, pk=challenge.pk, assignee=other_officer, note="Grace leads on this now."
    )
    assert challenge.assigned_to == other_officer
    message = challenge.messages.get()
    assert message.kind == ChallengeMessage.Kind.REASSIGN
    assert "Grace leads on this now." in message.text
    assert challenge.state == Challenge.State.OPEN
    services.challenge_answer(user=other_officer, pk=challenge.pk, text="Mine now")


def test_only_leads_pass_challenges_on_and_only_to_officers_or_leads(
    board_member, second_member, officer, other_officer, lead, action
):
    challenge = raise_about(action, board_member)
    with pytest.raises(PermissionDenied):
        services.challenge_reassign(user=officer, pk=challenge.pk, assignee=other_officer)
    with pytest.raises(ValidationError, match="officer or an improvement lead"):
        services.challenge_reassign(user=lead, pk=challenge.pk, assignee=second_member)
    with pytest.raises(ValidationError, match="already with"):
        services.challenge_reassign(user=lead, pk=challenge.pk, assignee=officer)


# --- Database rules -----------------------------------------------------------------


def test_the_thread_is_append_only(board_member, officer, action):
    challenge = raise_about(action, board_member)
    services.challenge_answer(user=officer, pk=challenge.pk, text="Original")
    message = challenge.messages.get()
    message.text = "Rewritten"
    with pytest.raises(ProgrammingError, match="append-only"), transaction.atomic():
        message.save()
    with pytest.raises(ProgrammingError, match="append-only"), transaction.atomic():
        ChallengeMessage.objects.filter(pk=message.pk).delete()
    assert ChallengeMessage.objects.get(pk=message.pk).text == "Original"


def test_a_challenge_is_about_exactly_one_thing(board_member, officer, action, area):
    base = {
        "question": "Q",
        "raised_by": board_member,
        "assigned_to": officer,
        "answer_due": timezone.localdate(),
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Challenge.objects.create(**base)
    with pytest.raises(IntegrityError), transaction.atomic():
        Challenge.objects.create(**base, action=action, area=area)


def test_closed_date_goes_with_accepted_state(board_member, officer, action):
    with pytest.raises(IntegrityError), transaction.atomic():
        Challenge.objects.create(
            question="Q",
            raised_by=board_member,
            assigned_to=officer,
            answer_due=timezone.localdate(),
            action=action,
            state=Challenge.State.ACCEPTED,
            answered_at=timezone.now(),
        )


# --- Meetings and decisions ---------------------------------------------------------


def test_meeting_records_who_came_and_who_sent_apologies(
    lead, board_member, second_member, meeting
):
    services.meeting_save(
        user=lead, meeting=meeting, attendees=[board_member, lead], apologies=[second_member]
    )
    assert set(meeting.attendance.values_list("person__username", "status")) == {
        (board_member.username, Attendance.Status.PRESENT),
        (lead.username, Attendance.Status.PRESENT),
        (second_member.username, Attendance.Status.APOLOGIES),
    }
    # Changing it replaces the lists rather than adding to them.
    services.meeting_save(user=lead, meeting=meeting, attendees=[second_member], apologies=[])
    assert list(meeting.attendance.values_list("person__username", "status")) == [
        (second_member.username, Attendance.Status.PRESENT)
    ]


def test_a_person_cannot_both_attend_and_send_apologies(lead, board_member, meeting):
    with pytest.raises(ValidationError, match="cannot both attend and send apologies"):
        services.meeting_save(
            user=lead, meeting=meeting, attendees=[board_member], apologies=[board_member]
        )


def test_only_leads_manage_meetings(board_member, officer, meeting):
    for user in (board_member, officer):
        with pytest.raises(PermissionDenied):
            services.meeting_save(user=user, meeting=meeting, attendees=[], apologies=[])


def action_fields(officer, lead, today, **overrides):
    fields = {
        "reference": "9.50",
        "title": "Set up a panel",
        "priority": PriorityFactory(),
        "owner": officer,
        "accountable": lead,
        "start_date": today,
        "due_date": today + dt.timedelta(days=60),
    }
    return fields | overrides


def test_lead_turns_a_decision_into_an_action_linked_back(lead, officer, meeting, area, today):
    decision = DecisionFactory(meeting=meeting, text="Set up a panel", area=area)
    action = services.decision_make_action(
        user=lead, pk=decision.pk, areas=[area], **action_fields(officer, lead, today)
    )
    assert action.status == Status.NOT_STARTED
    assert action.baseline_due_date == action.due_date
    assert list(action.areas.all()) == [area]
    assert action.board_decision == decision
    assert action.board_decision.meeting == meeting


def test_a_decision_becomes_an_action_only_once(lead, officer, meeting, today):
    decision = DecisionFactory(meeting=meeting, text="Set up a panel")
    services.decision_make_action(user=lead, pk=decision.pk, **action_fields(officer, lead, today))
    with pytest.raises(ValidationError, match="already an action"):
        services.decision_make_action(
            user=lead, pk=decision.pk, **action_fields(officer, lead, today, reference="9.51")
        )
    assert Action.objects.count() == 1


def test_board_members_and_officers_cannot_make_actions(
    board_member, officer, lead, meeting, today
):
    decision = DecisionFactory(meeting=meeting, text="Set up a panel")
    for user in (board_member, officer):
        with pytest.raises(PermissionDenied):
            services.decision_make_action(
                user=user, pk=decision.pk, **action_fields(officer, lead, today)
            )
    assert not Action.objects.exists()


def test_action_create_explains_a_taken_reference_and_backwards_dates(lead, officer, today):
    from actions.services import action_create

    ActionFactory(reference="9.50")
    with pytest.raises(ValidationError) as error:
        action_create(
            user=lead,
            **action_fields(
                officer, lead, today, reference="9.50", due_date=today - dt.timedelta(days=1)
            ),
        )
    messages = error.value.message_dict
    assert "reference" in messages
    assert messages["due_date"] == [
        f"The due date cannot be before the start date, {today:%-d %B %Y}."
    ]
    assert "__all__" not in messages


def test_deleting_a_decision_that_became_an_action_is_refused(lead, officer, meeting, today):
    decision = DecisionFactory(meeting=meeting, text="Set up a panel")
    services.decision_make_action(user=lead, pk=decision.pk, **action_fields(officer, lead, today))
    with pytest.raises(ValidationError):
        services.decision_delete(user=lead, pk=decision.pk)
    assert Decision.objects.filter(pk=decision.pk).exists()
