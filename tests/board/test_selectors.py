import datetime as dt
import json

import pytest
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from board import selectors, services
from board.models import Challenge
from tests.factories import ActionFactory, AgendaItemFactory, DecisionFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_open_challenges_for_lists_what_waits_for_the_users_answer(
    board_member, officer, other_officer, action
):
    first = services.challenge_raise(user=board_member, target=action, question="First")
    second = services.challenge_raise(user=board_member, target=action, question="Second")
    services.challenge_answer(user=officer, pk=second.pk, text="Done")
    other = ActionFactory(owner=other_officer)
    services.challenge_raise(user=board_member, target=other, question="Not yours")

    mine = selectors.open_challenges_for(officer)
    assert isinstance(mine, QuerySet)
    assert list(mine) == [first]
    services.challenge_press(user=board_member, pk=second.pk, text="More")
    assert set(selectors.open_challenges_for(officer)) == {first, second}
    assert list(selectors.open_challenges_for(board_member)) == []


def test_open_challenges_for_orders_by_answer_date(board_member, officer, action):
    today = timezone.localdate()
    late = services.challenge_raise(
        user=board_member, target=action, question="Older", now=at(today - dt.timedelta(days=20))
    )
    soon = services.challenge_raise(user=board_member, target=action, question="Newer")
    assert list(selectors.open_challenges_for(officer)) == [late, soon]
    assert late.is_overdue()
    assert not soon.is_overdue()


def test_answers_to_review_for_the_member_who_raised_them(
    board_member, second_member, officer, action
):
    challenge = services.challenge_raise(user=board_member, target=action, question="Q")
    assert list(selectors.answers_to_review_for(board_member)) == []
    services.challenge_answer(user=officer, pk=challenge.pk, text="A")
    assert list(selectors.answers_to_review_for(board_member)) == [challenge]
    assert list(selectors.answers_to_review_for(second_member)) == []


@pytest.fixture
def history(board_member, officer, action):
    """Three challenges across a month: accepted in it, answered in it, and raised after."""
    start = timezone.localdate() - dt.timedelta(days=60)
    accepted = services.challenge_raise(
        user=board_member, target=action, question="Accepted", now=at(start)
    )
    services.challenge_answer(
        user=officer, pk=accepted.pk, text="A1", now=at(start + dt.timedelta(days=2))
    )
    services.challenge_accept(
        user=board_member, pk=accepted.pk, comment="Fine", now=at(start + dt.timedelta(days=10))
    )
    answered = services.challenge_raise(
        user=board_member, target=action, question="Answered", now=at(start + dt.timedelta(5))
    )
    services.challenge_answer(
        user=officer, pk=answered.pk, text="A2", now=at(start + dt.timedelta(days=12))
    )
    # Pressed after the period: in the period it was still answered, waiting for the board.
    services.challenge_press(
        user=board_member, pk=answered.pk, text="More", now=at(start + dt.timedelta(days=40))
    )
    later = services.challenge_raise(
        user=board_member, target=action, question="Later", now=at(start + dt.timedelta(45))
    )
    return {"start": start, "accepted": accepted, "answered": answered, "later": later}


def test_pack_shows_each_challenge_as_it_stood_at_the_end_of_the_period(history):
    start = history["start"]
    pack = selectors.challenges_for_pack(start, start + dt.timedelta(days=30))
    assert [c["question"] for c in pack["closed"]] == ["Accepted"]
    assert [c["question"] for c in pack["awaiting_board"]] == ["Answered"]
    assert pack["awaiting_answer"] == []
    assert pack["counts"] == {
        "raised": 2,
        "awaiting_answer": 0,
        "awaiting_board": 1,
        "closed": 1,
        "overdue": 0,
    }
    answered = pack["awaiting_board"][0]
    assert [m["kind"] for m in answered["thread"]] == ["answer"]  # the press came later
    assert answered["latest_answer"] == "A2"
    assert pack["closed"][0]["outcome"] == "Fine"
    # Plain data: it survives a JSON round trip unchanged.
    assert json.loads(json.dumps(pack)) == pack


def test_pack_for_a_later_period_leaves_out_what_was_closed_before_it(history):
    start = history["start"] + dt.timedelta(days=31)
    pack = selectors.challenges_for_pack(start, timezone.localdate())
    assert [c["question"] for c in pack["closed"]] == []
    assert [c["question"] for c in pack["awaiting_answer"]] == ["Answered", "Later"]
    pressed = pack["awaiting_answer"][0]
    assert pressed["state"] == Challenge.State.PRESSED
    assert pressed["times_pressed"] == 1
    assert pressed["latest_press"] == "More"
    assert pack["counts"]["raised"] == 1
    assert pack["awaiting_answer"][1]["new"] is True


def test_pack_counts_unanswered_challenges_past_their_date_as_overdue(board_member, action):
    today = timezone.localdate()
    services.challenge_raise(
        user=board_member, target=action, question="Old", now=at(today - dt.timedelta(days=40))
    )
    pack = selectors.challenges_for_pack(today - dt.timedelta(days=7), today)
    assert pack["counts"]["overdue"] == 1
    assert pack["awaiting_answer"][0]["overdue"] is True


def test_pack_refuses_a_period_that_ends_before_it_starts():
    with pytest.raises(ValueError):
        selectors.challenges_for_pack(dt.date(2025, 2, 1), dt.date(2025, 1, 1))


def test_pack_section_include_renders_every_group(history):
    start = history["start"]
    pack = selectors.challenges_for_pack(start, timezone.localdate())
    html = render_to_string("board/includes/pack_section.html", {"challenges": pack})
    assert "Challenges to officers" in html
    for question in ("Accepted", "Answered", "Later"):
        assert question in html
    assert "Pressed further" in html
    assert "http" in html  # absolute links, for the PDF


def test_seen_by_board_for_an_action_groups_by_meeting_newest_first(
    board_member, meeting, action, today
):

    later = MeetingFactory(date=today)
    item = AgendaItemFactory(meeting=meeting, order=1, title="Earlier")
    item.actions.add(action)
    DecisionFactory(meeting=later, order=1, text="Later decision", action=action)
    services.challenge_raise(user=board_member, target=action, question="At it", meeting=later)
    services.challenge_raise(user=board_member, target=action, question="Between meetings")
    seen = selectors.seen_by_board(action)
    assert [e["meeting"] for e in seen] == [later, meeting]
    assert [d.text for d in seen[0]["decisions"]] == ["Later decision"]
    assert [c.question for c in seen[0]["challenges"]] == ["At it"]
    assert [i.title for i in seen[1]["items"]] == ["Earlier"]


def test_seen_by_board_for_an_area_includes_its_actions(meeting, area, area_action):
    direct = AgendaItemFactory(meeting=meeting, order=1, title="Direct")
    direct.areas.add(area)
    via = AgendaItemFactory(meeting=meeting, order=2, title="Via")
    via.actions.add(area_action, ActionFactory())
    seen = selectors.seen_by_board(area)
    items = seen[0]["items"]
    assert [(i.title, i.direct) for i in items] == [("Direct", True), ("Via", False)]
    assert items[1].via == [area_action]


def test_seen_by_board_query_count_does_not_grow(
    django_assert_max_num_queries, board_member, action
):

    for n in range(12):
        meeting = MeetingFactory(date=dt.date(2025, 1, 1) + dt.timedelta(days=n))
        AgendaItemFactory(meeting=meeting, order=1, title=f"Item {n}").actions.add(action)
        services.challenge_raise(
            user=board_member, target=action, question=f"Q{n}", meeting=meeting
        )
    with django_assert_max_num_queries(4):
        seen = selectors.seen_by_board(action)
        assert len(seen) == 12
        for entry in seen:
            for challenge in entry["challenges"]:
                str(challenge.raised_by)
