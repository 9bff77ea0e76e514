import datetime as dt
import itertools

import pytest
from django.db import IntegrityError, connection, transaction

from actions.models import Action, ProgressUpdate, Rag, Status, rag_for
from tests.factories import TODAY, ActionFactory, ProgressUpdateFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("status", "override", "start", "due", "expected"),
    [
        (Status.CANCELLED, "", -10, 10, None),
        (Status.COMPLETE, "", -10, -5, Rag.BLUE),
        (Status.COMPLETE, Rag.RED, -10, 10, Rag.BLUE),
        (Status.ON_TRACK, Rag.GREEN, -10, -5, Rag.GREEN),
        (Status.ON_TRACK, "", -10, -1, Rag.RED),
        (Status.OFF_TRACK, "", -10, 10, Rag.RED),
        (Status.AT_RISK, "", -10, 10, Rag.AMBER),
        (Status.NOT_STARTED, "", -1, 10, Rag.AMBER),
        (Status.NOT_STARTED, "", 0, 10, Rag.GREEN),
        (Status.NOT_STARTED, "", 5, 10, Rag.GREEN),
        (Status.ON_TRACK, "", -10, 0, Rag.GREEN),
    ],
)
def test_rag_rule(status, override, start, due, expected):
    rag = rag_for(
        status=status,
        rag_override=override,
        start_date=TODAY + dt.timedelta(days=start),
        due_date=TODAY + dt.timedelta(days=due),
        on=TODAY,
    )
    assert rag == expected


def test_rag_in_sql_agrees_with_rag_in_python_for_every_combination():
    combos = itertools.product(
        Status.values, ["", Rag.RED, Rag.AMBER, Rag.GREEN], [-5, 0, 5], [-3, 0, 3]
    )
    for i, (status, override, start, due_offset) in enumerate(combos):
        start_date = TODAY + dt.timedelta(days=start)
        due_date = max(start_date, TODAY + dt.timedelta(days=due_offset))
        ActionFactory(
            reference=f"7.{i}",
            status=status,
            rag_override=override,
            rag_override_reason="Board agreed" if override else "",
            start_date=start_date,
            baseline_due_date=due_date,
            due_date=due_date,
            completed_date=TODAY if status == Status.COMPLETE else None,
        )
    actions = list(Action.objects.with_rag(on=TODAY))
    assert len(actions) == 6 * 4 * 3 * 3
    for action in actions:
        assert action.current_rag == action.rag_on(TODAY), action.reference


def test_references_sort_naturally():
    for ref in ["1.10", "1.2", "1.1", "2.1"]:
        ActionFactory(reference=ref)
    refs = list(Action.objects.order_by("reference").values_list("reference", flat=True))
    assert refs == ["1.1", "1.2", "1.10", "2.1"]


@pytest.mark.parametrize(
    "changes",
    [
        {"percent_complete": 101},
        {"due_date": TODAY - dt.timedelta(days=31)},
        {"baseline_due_date": TODAY - dt.timedelta(days=31)},
        {"status": Status.COMPLETE, "completed_date": None},
        {"status": Status.ON_TRACK, "completed_date": TODAY},
        {"rag_override": Rag.RED, "rag_override_reason": ""},
        {"rag_override": Rag.BLUE, "rag_override_reason": "why"},
        {"status": "finished"},
    ],
)
def test_database_refuses_invalid_actions(changes):
    action = ActionFactory()
    for field, value in changes.items():
        setattr(action, field, value)
    with pytest.raises(IntegrityError), transaction.atomic():
        action.save()


def test_progress_updates_are_append_only_in_the_database(officer):
    action = ActionFactory()
    update = ProgressUpdateFactory(
        action=action,
        author=officer,
        note="First",
        status_before=Status.ON_TRACK,
        status_after=Status.ON_TRACK,
        percent_before=0,
        percent_after=10,
    )
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        ProgressUpdate.objects.filter(pk=update.pk).update(note="Rewritten")
    with (
        pytest.raises(Exception, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM actions_progressupdate WHERE id = %s", [update.pk])
    assert ProgressUpdate.objects.get(pk=update.pk).note == "First"


def test_overdue_and_due_soon_querysets():
    overdue = ActionFactory(due_date=TODAY - dt.timedelta(days=1))
    ActionFactory(
        due_date=TODAY - dt.timedelta(days=1),
        status=Status.COMPLETE,
        completed_date=TODAY,
    )
    soon = ActionFactory(due_date=TODAY + dt.timedelta(days=3))
    assert list(Action.objects.overdue(on=TODAY)) == [overdue]
    assert list(Action.objects.due_between(TODAY, TODAY + dt.timedelta(days=7))) == [soon]
    assert overdue.days_overdue(TODAY) == 1
