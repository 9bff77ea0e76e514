import datetime as dt
import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from actions.models import Action, Rag, Status
from boardpacks.context import (
    board_pack_context,
    meeting_date_for,
    next_month,
    overall_rag,
)
from boardpacks.services import default_month
from inspections.models import Grade, JudgementArea
from tests.boardpacks.conftest import MONTH
from tests.factories import (
    TODAY,
    ActionFactory,
    AreaForImprovementFactory,
    DueDateChangeFactory,
    EvidenceFactory,
    InspectionFactory,
    JudgementFactory,
)

pytestmark = pytest.mark.django_db


def gather(**kwargs):
    kwargs.setdefault("month", MONTH)
    if "meeting_date" not in kwargs:
        kwargs["meeting_date"] = meeting_date_for(MONTH)
    kwargs.setdefault("as_of", TODAY)
    return board_pack_context(**kwargs)


def test_context_is_plain_json(demo):
    data = gather()
    assert json.loads(json.dumps(data)) == data  # no dates, models or lazy strings inside
    assert json.dumps(data, cls=DjangoJSONEncoder)


def test_headline_numbers_match_the_database(demo):
    data = gather()
    actions = Action.objects.with_rag(on=TODAY)
    assert data["plan"]["total"] == actions.count()
    assert data["plan"]["open"] == Action.objects.open().count()
    for rag in Rag.values:
        assert data["plan"]["rag_counts"][rag] == actions.filter(current_rag=rag).count()
    assert {row["key"]: row["count"] for row in data["plan"]["status_counts"]} == {
        status: actions.filter(status=status).count() for status in Status.values
    }
    most_overdue_first = Action.objects.overdue(on=TODAY).order_by(
        "due_date", "priority__number", "reference"
    )
    assert data["overdue"] == list(most_overdue_first.values_list("reference", flat=True))


def test_latest_judgement_per_area_and_the_journey(demo):
    judgements = gather()["judgements"]
    overall = next(row for row in judgements["latest"] if row["is_overall"])
    assert (overall["grade"], overall["first_grade"], overall["trend"]) == (
        Grade.GOOD,
        Grade.INADEQUATE,
        "improved",
    )
    assert [i["date"] for i in judgements["inspections"]] == ["2019-07-15", "2023-07-17"]
    # The retired 2018 area is in the journey, not in "latest".
    assert "Children in care and care leavers" in [row["area"] for row in judgements["rows"]]
    assert "Children in care and care leavers" not in [row["area"] for row in judgements["latest"]]


def test_due_soon_runs_to_the_next_meeting():
    early = ActionFactory(due_date=TODAY + dt.timedelta(days=5))
    after = ActionFactory(due_date=meeting_date_for(next_month(MONTH)) + dt.timedelta(days=1))
    ActionFactory(
        due_date=TODAY + dt.timedelta(days=6),
        status=Status.COMPLETE,
        completed_date=TODAY,
        percent_complete=100,
    )
    data = gather()
    assert data["next_meeting_date"] == meeting_date_for(next_month(MONTH)).isoformat()
    assert data["due_soon"] == [early.reference]
    assert after.reference not in data["due_soon"]


def test_areas_without_a_live_action_are_flagged():
    inspection = InspectionFactory()
    JudgementFactory(inspection=inspection, grade=Grade.GOOD)
    answered, orphan, only_done = (AreaForImprovementFactory(inspection=inspection) for _ in "abc")
    ActionFactory(areas=[answered])
    ActionFactory(
        areas=[only_done], status=Status.COMPLETE, completed_date=TODAY, percent_complete=100
    )
    areas = {a["id"]: a for a in gather()["areas"]}
    assert areas[answered.pk]["live"] is True
    assert areas[orphan.pk]["live"] is False and areas[orphan.pk]["actions"] == []
    assert areas[only_done.pk]["live"] is False and len(areas[only_done.pk]["actions"]) == 1


def test_query_count_does_not_grow_with_the_plan(django_assert_num_queries, demo):
    previous = gather()
    action = Action.objects.get(reference="1.5")
    DueDateChangeFactory(
        action=action,
        old_date=action.due_date,
        new_date=action.due_date + dt.timedelta(days=7),
        reason="Late data",
        changed_by=action.owner,
    )
    Action.objects.filter(pk=action.pk).update(due_date=action.due_date + dt.timedelta(days=7))
    # The plan's own figures take 10 queries; the board's challenges (with what each is
    # about, fetched alongside), the indicators and the risk register add a fixed 18; the
    # next meeting in the Board's calendar one more.
    meeting_date = meeting_date_for(MONTH)
    with django_assert_num_queries(29) as small:
        gather(previous=previous, meeting_date=meeting_date)
    ActionFactory.create_batch(60, areas=[])
    with django_assert_num_queries(len(small.captured_queries)):
        gather(previous=previous, meeting_date=meeting_date)


def test_overall_rag_rule():
    assert overall_rag({}) is None
    assert overall_rag({"blue": 5}) is None
    assert overall_rag({"green": 9}) == Rag.GREEN
    assert overall_rag({"green": 9, "amber": 2}) == Rag.GREEN
    assert overall_rag({"green": 6, "amber": 2}) == Rag.AMBER
    assert overall_rag({"green": 9, "red": 1}) == Rag.AMBER
    assert overall_rag({"green": 3, "red": 1}) == Rag.RED


@pytest.mark.parametrize(
    ("today", "month"),
    [
        (dt.date(2026, 11, 1), dt.date(2026, 11, 1)),
        (dt.date(2026, 11, 16), dt.date(2026, 11, 1)),  # the 15th is a Sunday: Monday 16th
        (dt.date(2026, 11, 17), dt.date(2026, 12, 1)),
        (dt.date(2026, 12, 31), dt.date(2027, 1, 1)),
    ],
)
def test_default_month_is_the_next_meeting(today, month):
    assert default_month(today) == month


def test_meeting_moves_off_the_weekend(settings):
    settings.BOARD_MEETING_DAY = 15
    assert meeting_date_for(dt.date(2026, 11, 1)) == dt.date(2026, 11, 16)
    assert meeting_date_for(dt.date(2026, 12, 1)) == dt.date(2026, 12, 15)


# --- What changed: against the previous pack's frozen data -----------------------------


def test_first_pack_has_nothing_to_compare():
    ActionFactory()
    assert gather()["changes"] == {"since": None}


def test_changes_against_previous_frozen_data(officer):
    stays = ActionFactory(due_date=TODAY + dt.timedelta(days=3))
    slips = ActionFactory(due_date=TODAY + dt.timedelta(days=20))
    finishes = ActionFactory(due_date=TODAY + dt.timedelta(days=40))
    previous = gather()
    later = TODAY + dt.timedelta(days=10)

    DueDateChangeFactory(
        action=slips,
        old_date=slips.due_date,
        new_date=slips.due_date + dt.timedelta(days=30),
        reason="Waiting for partner data",
        changed_by=officer,
    )
    Action.objects.filter(pk=slips.pk).update(
        due_date=slips.due_date + dt.timedelta(days=30), status=Status.AT_RISK
    )
    Action.objects.filter(pk=finishes.pk).update(
        status=Status.COMPLETE, completed_date=later, percent_complete=100
    )
    EvidenceFactory(action=finishes, note="Audit shows 90% compliance", added_by=officer)
    new = ActionFactory()

    changes = gather(as_of=later, previous=previous)["changes"]
    assert changes["since"]["as_of"] == TODAY.isoformat()
    assert changes["newly_overdue"] == [stays.reference]
    assert changes["due_date_moves"] == [
        {
            "reference": slips.reference,
            "from": (TODAY + dt.timedelta(days=20)).isoformat(),
            "to": (TODAY + dt.timedelta(days=50)).isoformat(),
            "reasons": [
                {
                    "date": changes["due_date_moves"][0]["reasons"][0]["date"],
                    "from": (TODAY + dt.timedelta(days=20)).isoformat(),
                    "to": (TODAY + dt.timedelta(days=50)).isoformat(),
                    "reason": "Waiting for partner data",
                    "by": officer.display_name,
                }
            ],
        }
    ]
    assert {c["reference"]: (c["from"], c["to"]) for c in changes["rag_changes"]} == {
        stays.reference: (Rag.GREEN, Rag.RED),
        slips.reference: (Rag.GREEN, Rag.AMBER),
    }
    assert [c["reference"] for c in changes["completed"]] == [finishes.reference]
    assert changes["completed"][0]["evidence"][0]["note"] == "Audit shows 90% compliance"
    assert changes["new_actions"] == [new.reference]


def test_reasons_recorded_before_the_previous_pack_are_not_repeated(officer):
    action = ActionFactory()
    DueDateChangeFactory(
        action=action,
        old_date=action.due_date,
        new_date=action.due_date + dt.timedelta(days=1),
        reason="Old reason",
        changed_by=officer,
    )
    previous = gather()
    Action.objects.filter(pk=action.pk).update(due_date=action.due_date + dt.timedelta(days=9))
    moves = gather(previous=previous)["changes"]["due_date_moves"]
    assert [m["reasons"] for m in moves] == [[]]


def test_removed_actions_are_listed():
    gone = ActionFactory()
    previous = gather()
    gone_ref, gone_title = gone.reference, gone.title
    gone.delete()
    changes = gather(previous=previous)["changes"]
    assert changes["removed_actions"] == [{"reference": gone_ref, "title": gone_title}]


def test_judgement_area_rows_skip_areas_never_judged():
    JudgementFactory(area=JudgementArea.objects.get(key="overall"))
    rows = gather()["judgements"]["rows"]
    assert [row["area"] for row in rows] == ["Overall effectiveness"]
