import pytest

from accounts.models import User
from actions.models import Action
from board import selectors
from board.demo import meeting_dates
from board.models import AgendaItem, Attendance, Challenge, ChallengeMessage, Decision, Meeting
from tests.factories import TODAY, load_demo

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        "meetings": sorted(Meeting.objects.values_list("date", "title", "minutes")),
        "attendance": sorted(
            Attendance.objects.values_list("meeting__date", "person__username", "status")
        ),
        "items": sorted(AgendaItem.objects.values_list("meeting__date", "order", "title")),
        "item_links": AgendaItem.actions.through.objects.count(),
        "decisions": sorted(
            Decision.objects.values_list("meeting__date", "text", "resulting_action__reference")
        ),
        "challenges": sorted(
            Challenge.objects.values_list("question", "state", "assigned_to__username")
        ),
        "messages": ChallengeMessage.objects.count(),
        "actions": Action.objects.count(),
    }


def test_board_demo_is_idempotent(demo):
    first = snapshot()
    load_demo()
    assert snapshot() == first


def test_a_year_of_monthly_meetings_chaired_by_alex_morgan(demo):
    dates = meeting_dates(TODAY)
    assert list(Meeting.objects.order_by("date").values_list("date", flat=True)) == dates
    assert all(d.weekday() == 1 and 8 <= d.day <= 14 for d in dates)  # second Tuesdays
    past = Meeting.objects.filter(date__lte=TODAY)
    assert past.count() >= 11
    for meeting in past:
        assert meeting.attendance.filter(person__username="chair", status="present").exists()
        assert meeting.minutes
        assert meeting.agenda_items.filter(actions__isnull=False).exists()


def test_demo_has_challenges_in_every_state_and_a_decision_made_an_action(demo):
    states = list(Challenge.objects.values_list("state", flat=True))
    for state in Challenge.State.values:
        assert states.count(state) >= 2, state
    assert Challenge.objects.filter(area__isnull=False).exists()
    assert any(c.is_overdue(TODAY) for c in Challenge.objects.all())
    pressed_and_accepted = Challenge.objects.filter(
        state="accepted", messages__kind="press"
    ).distinct()
    assert pressed_and_accepted.exists()
    # The demo officer has some to answer, and the next pack has something in each group.
    assert selectors.open_challenges_for(User.objects.get(username="officer")).count() >= 2
    last = Meeting.objects.filter(date__lt=TODAY).order_by("-date")[1]
    pack = selectors.challenges_for_pack(last.date, TODAY)
    assert pack["awaiting_answer"] and pack["awaiting_board"]

    # One decision became an action in the plan.
    action = Action.objects.get(reference="3.9")
    assert action.board_decision.meeting.date < TODAY
    assert action.updates.exists()
    assert Decision.objects.filter(resulting_action__isnull=True).exists()  # one left to try
