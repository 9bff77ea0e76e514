"""imports.action_plan_checks: action_import_check (the plan's rules for one imported row, no
database writes) and action_import_upsert (all or nothing, with the same rules as an officer's
update, written by actions.services.action_import_write)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from actions.models import Action, DueDateChange, Evidence, ProgressUpdate, Status
from imports.action_plan_checks import ImportedAction, action_import_check, action_import_upsert
from tests.factories import TODAY, AreaForImprovementFactory, PriorityFactory

pytestmark = pytest.mark.django_db


def new_row(reference="6.1", **values) -> ImportedAction:
    base = {
        "title": "A new action",
        "priority": PriorityFactory(),
        "owner": values.pop("owner"),
        "accountable": values.pop("accountable"),
        "start_date": TODAY,
        "due_date": TODAY + dt.timedelta(days=30),
    }
    return ImportedAction(reference=reference, **(base | values))


def test_check_writes_nothing_and_reports_changes(action, django_assert_num_queries):
    row = ImportedAction(reference=action.reference, status=Status.AT_RISK, percent_complete=50)
    with django_assert_num_queries(0):
        check = action_import_check(row=row, current=action, on=TODAY)
    assert check.changes == {
        "status": (Status.ON_TRACK, Status.AT_RISK),
        "percent_complete": (20, 50),
    }
    assert check.problems == []
    assert not check.is_new


def test_completing_needs_evidence_given_or_recorded(action, lead):
    row = ImportedAction(reference=action.reference, status=Status.COMPLETE)
    check = action_import_check(row=row, current=action, on=TODAY)
    assert "Give evidence that the action is complete (an Evidence column)." in check.problems
    recorded = action_import_check(row=row, current=action, has_evidence=True, on=TODAY)
    assert recorded.problems == []
    assert recorded.values["completed_date"] == TODAY
    assert recorded.values["percent_complete"] == 100
    with pytest.raises(ValidationError):
        action_import_upsert(user=lead, rows=[row], source="plan.xlsx", on=TODAY)
    action.refresh_from_db()
    assert action.status == Status.ON_TRACK


def test_completing_with_evidence_records_it_and_logs_progress(action, lead):
    row = ImportedAction(
        reference=action.reference, status=Status.COMPLETE, evidence="https://example.org/audit"
    )
    action_import_upsert(user=lead, rows=[row], source="plan.xlsx", on=TODAY)
    action.refresh_from_db()
    assert (action.status, action.completed_date, action.percent_complete, action.version) == (
        Status.COMPLETE,
        TODAY,
        100,
        2,
    )
    evidence = Evidence.objects.get(action=action)
    assert (evidence.url, evidence.note, evidence.added_by) == (
        "https://example.org/audit",
        "",
        lead,
    )
    update = ProgressUpdate.objects.get(action=action)
    assert (update.status_before, update.status_after, update.rag_after) == (
        Status.ON_TRACK,
        Status.COMPLETE,
        "blue",
    )
    # The same evidence again is not recorded twice, and nothing else changes.
    result = action_import_upsert(user=lead, rows=[row], source="plan.xlsx", on=TODAY)
    assert result.unchanged == [action.reference]
    assert Evidence.objects.filter(action=action).count() == 1


def test_reopening_clears_the_completion_date(action, lead):
    Action.objects.filter(pk=action.pk).update(
        status=Status.COMPLETE, completed_date=TODAY, percent_complete=100
    )
    row = ImportedAction(reference=action.reference, status=Status.ON_TRACK, percent_complete=90)
    action_import_upsert(user=lead, rows=[row], source="plan.csv", on=TODAY)
    action.refresh_from_db()
    assert (action.status, action.completed_date, action.percent_complete) == (
        Status.ON_TRACK,
        None,
        90,
    )


def test_due_date_change_is_kept_with_the_reason_the_row_gives(action, lead):
    new_due = action.due_date + dt.timedelta(days=45)
    row = ImportedAction(
        reference=action.reference, due_date=new_due, due_date_reason="Recruitment delayed"
    )
    action_import_upsert(user=lead, rows=[row], source="June plan.xlsx", on=TODAY)
    change = DueDateChange.objects.get(action=action)
    assert (change.new_date, change.reason) == (new_due, "Recruitment delayed")
    # A new due date on its own is not a progress update: it is in the due-date changes.
    assert not ProgressUpdate.objects.filter(action=action).exists()
    action.refresh_from_db()
    assert action.baseline_due_date != action.due_date  # slipped, and shows as slipped


def test_a_due_date_moved_without_a_reason_is_refused(action, lead):
    row = ImportedAction(reference=action.reference, due_date=action.due_date + dt.timedelta(1))
    check = action_import_check(row=row, current=action, on=TODAY)
    assert any("give the reason" in p for p in check.problems)
    with pytest.raises(ValidationError):
        action_import_upsert(user=lead, rows=[row], source="export-edited.xlsx", on=TODAY)
    assert not DueDateChange.objects.exists()


def test_start_after_the_baseline_is_refused_for_existing_actions(action):
    row = ImportedAction(
        reference=action.reference, start_date=action.baseline_due_date + dt.timedelta(days=1)
    )
    check = action_import_check(row=row, current=action, on=TODAY)
    assert any("cannot be before the start date" in p for p in check.problems)


def test_plan_edits_change_the_version_but_log_no_progress(action, lead):
    areas = [AreaForImprovementFactory(), AreaForImprovementFactory()]
    action.areas.set([areas[0]])
    row = ImportedAction(
        reference=action.reference,
        title="A clearer title",
        areas=frozenset({areas[1].pk}),
        owner=lead,
    )
    result = action_import_upsert(user=lead, rows=[row], source="plan.csv", on=TODAY)
    assert result.updated == [action.reference]
    action.refresh_from_db()
    assert (action.title, action.owner, action.version) == ("A clearer title", lead, 2)
    assert list(action.areas.all()) == [areas[1]]
    assert not ProgressUpdate.objects.exists()


def test_unchanged_rows_write_nothing(action, lead):
    before = Action.objects.values().get(pk=action.pk)
    row = ImportedAction(
        reference=action.reference,
        title=action.title + "  ",
        status=action.status,
        due_date=action.due_date,
        owner=action.owner,
    )
    result = action_import_upsert(user=lead, rows=[row], source="plan.csv", on=TODAY)
    assert result.unchanged == [action.reference]
    assert Action.objects.values().get(pk=action.pk) == before


def test_new_actions_and_all_or_nothing(officer, lead, other_officer):
    good = new_row("6.1", owner=officer, accountable=other_officer)
    bad = new_row(
        "6.2",
        owner=officer,
        accountable=other_officer,
        due_date=TODAY - dt.timedelta(days=1),
    )
    with pytest.raises(ValidationError) as error:
        action_import_upsert(user=lead, rows=[good, bad], source="plan.csv", on=TODAY)
    assert error.value.messages == [
        f"6.2: The due date cannot be before the start date, {TODAY:%-d %B %Y}."
    ]
    assert not Action.objects.exists()
    result = action_import_upsert(user=lead, rows=[good], source="plan.csv", on=TODAY)
    assert result.created == ["6.1"]
    created = Action.objects.get()
    assert (created.baseline_due_date, created.status, created.version) == (
        good.due_date,
        Status.NOT_STARTED,
        1,
    )


def test_the_same_reference_twice_is_refused(officer, lead, other_officer):
    row = new_row("6.1", owner=officer, accountable=other_officer)
    with pytest.raises(ValidationError, match="more than one row"):
        action_import_upsert(user=lead, rows=[row, row], source="plan.csv", on=TODAY)


def test_only_people_who_manage_the_plan_may_import(action, officer):
    row = ImportedAction(reference=action.reference, status=Status.AT_RISK)
    with pytest.raises(PermissionDenied):
        action_import_upsert(user=officer, rows=[row], source="plan.csv", on=TODAY)
