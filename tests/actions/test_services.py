import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from actions.models import DueDateChange, Evidence, Rag, Status
from actions.services import ActionChangedError, Change, action_record_progress
from tests.factories import TODAY

pytestmark = pytest.mark.django_db


def record(user, action, on=TODAY, version=None, **change):
    return action_record_progress(
        user=user,
        pk=action.pk,
        expected_version=action.version if version is None else version,
        change=Change(**change),
        on=on,
    )


def test_officer_updates_status_and_progress_is_logged(officer, action):
    updated = record(officer, action, status=Status.AT_RISK, percent_complete=35, note="Slipping")
    assert updated.status == Status.AT_RISK
    assert updated.version == action.version + 1
    update = updated.updates.get()
    assert (update.status_before, update.status_after) == (Status.ON_TRACK, Status.AT_RISK)
    assert (update.rag_before, update.rag_after) == (Rag.GREEN, Rag.AMBER)
    assert (update.percent_before, update.percent_after) == (20, 35)
    assert update.note == "Slipping"
    assert update.author == officer


def test_due_date_change_needs_a_reason(officer, action):
    with pytest.raises(ValidationError) as error:
        record(officer, action, due_date=action.due_date + dt.timedelta(days=30))
    assert "due_date_reason" in error.value.error_dict
    assert not DueDateChange.objects.exists()


def test_due_date_change_is_kept_with_its_reason(officer, action):
    old = action.due_date
    new = old + dt.timedelta(days=30)
    updated = record(officer, action, due_date=new, due_date_reason="Waiting for partner data")
    change = DueDateChange.objects.get()
    assert (change.old_date, change.new_date, change.reason) == (
        old,
        new,
        "Waiting for partner data",
    )
    assert updated.baseline_due_date == action.baseline_due_date
    assert updated.has_slipped


def test_complete_needs_evidence(officer, action):
    with pytest.raises(ValidationError) as error:
        record(officer, action, status=Status.COMPLETE)
    assert "evidence_note" in error.value.error_dict
    updated = record(officer, action, status=Status.COMPLETE, evidence_url="https://example.org/r")
    assert updated.completed_date == TODAY
    assert updated.percent_complete == 100
    assert updated.rag == Rag.BLUE
    assert Evidence.objects.get().url == "https://example.org/r"


def test_rag_override_needs_a_reason(officer, action):
    with pytest.raises(ValidationError) as error:
        record(officer, action, rag_override=Rag.RED)
    assert "rag_override_reason" in error.value.error_dict
    updated = record(
        officer, action, rag_override=Rag.RED, rag_override_reason="Partner pulled out"
    )
    assert updated.rag_on(TODAY) == Rag.RED


def test_second_save_with_a_stale_version_is_refused_and_shows_what_changed(officer, lead, action):
    loaded_version = action.version
    record(lead, action, status=Status.OFF_TRACK, note="Lead's change")
    with pytest.raises(ActionChangedError) as error:
        record(officer, action, version=loaded_version, status=Status.COMPLETE)
    assert [u.note for u in error.value.updates] == ["Lead's change"]
    action.refresh_from_db()
    assert action.status == Status.OFF_TRACK


def test_officer_cannot_update_someone_elses_action(other_officer, action):
    with pytest.raises(PermissionDenied):
        record(other_officer, action, status=Status.AT_RISK)


def test_board_member_cannot_update_any_action(board_member, action):
    with pytest.raises(PermissionDenied):
        record(board_member, action, status=Status.AT_RISK)


def test_accountable_manager_and_lead_can_update(lead, action):
    record(action.accountable, action, note="Checked by the accountable manager")
    action.refresh_from_db()
    record(lead, action, note="Checked by the lead")
    notes = list(action.updates.order_by("created_at").values_list("note", "author"))
    assert notes == [
        ("Checked by the accountable manager", action.accountable.pk),
        ("Checked by the lead", lead.pk),
    ]


def test_empty_update_is_refused(officer, action):
    with pytest.raises(ValidationError):
        record(officer, action)
