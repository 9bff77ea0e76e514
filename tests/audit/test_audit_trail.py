"""The audit trail: what is recorded, from where, that nobody can rewrite it, and how it is
read (on a record's page and as a CSV export)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib import admin
from django.core.files.base import ContentFile
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import escape
from pghistory.models import Context

from accounts.models import Role, User
from actions.models import Action, DueDateChange, Evidence, Priority, ProgressUpdate
from actions.services import Change, action_record_progress
from audit.context import OUTSIDE_APP, audit_source
from audit.export import safe_cell
from audit.models import AuditEvent
from audit.selectors import history_between, history_for
from imports.models import ColumnMapping, PendingUpload
from inspections.models import AreaCovered, AreaForImprovement, Inspection, Judgement, Strength
from kpis.models import Comparator, Indicator, IndicatorValue
from reminders.models import (
    DueDateNotice,
    Reminder,
    ReminderPreference,
    ReminderRun,
    ReminderSettings,
)
from risks.models import (
    ImpactLevel,
    LikelihoodLevel,
    MatrixCell,
    Risk,
    RiskMatrix,
    RiskRating,
)
from tests.clock import database_today
from tests.factories import (
    ActionFactory,
    AreaCoveredFactory,
    AreaForImprovementFactory,
    DueDateChangeFactory,
    EvidenceFactory,
    InspectionFactory,
    JudgementFactory,
    PendingUploadFactory,
    StrengthFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
REFUSED = (InternalError, ProgrammingError, IntegrityError)


def events_for(obj, label=None):
    events = AuditEvent.objects.tracks(obj).order_by("pgh_id")
    if label:
        events = events.filter(pgh_label=label)
    return list(events)


def build(model_name, officer):
    inspection = InspectionFactory()
    action = ActionFactory(owner=officer)
    return {
        "Inspection": lambda: inspection,
        "Judgement": lambda: JudgementFactory(inspection=inspection),
        "AreaForImprovement": lambda: AreaForImprovementFactory(inspection=inspection),
        "Strength": lambda: StrengthFactory(inspection=inspection, text="Strong"),
        "AreaCovered": lambda: AreaCoveredFactory(inspection=inspection, text="Seen"),
        "Priority": lambda: Priority.objects.create(number=7, title="Seven"),
        "Action": lambda: action,
        "DueDateChange": lambda: DueDateChangeFactory(
            action=action,
            old_date=action.due_date,
            new_date=action.due_date + dt.timedelta(days=1),
            reason="Slipped",
            changed_by=officer,
        ),
        "Evidence": lambda: EvidenceFactory(action=action, note="Audit", added_by=officer),
    }[model_name]()


EDITS = {
    "Inspection": ("summary", "A new summary"),
    "Judgement": ("wording", "Overall effectiveness (as printed)"),
    "AreaForImprovement": ("short_title", "Supervision"),
    "Strength": ("text", "Stronger"),
    "AreaCovered": ("finding", "Better"),
    "Priority": ("title", "Seven, renamed"),
    "Action": ("title", "Renamed action"),
    "Evidence": ("note", "Audit report, final"),
}


@pytest.mark.parametrize("model_name", list(EDITS))
def test_create_update_and_delete_are_recorded_with_before_and_after(model_name, officer):
    obj = build(model_name, officer)
    field, value = EDITS[model_name]
    before = getattr(obj, field)
    setattr(obj, field, value)
    obj.save()
    pk = obj.pk
    if model_name not in ("Action", "Inspection", "Priority"):  # others protect from delete
        type(obj).objects.filter(pk=pk).delete()
    labels = [e.pgh_label for e in events_for(obj)]
    assert labels[:2] == ["insert", "update"]
    update = events_for(obj, "update")[0]
    assert update.pgh_diff[field] == [before, value]
    if model_name not in ("Action", "Inspection", "Priority"):
        assert labels[-1] == "delete"
        assert events_for(obj, "delete")[0].pgh_data[field] == value


def test_deleting_an_action_and_its_inspection_keeps_their_history(officer):
    action = ActionFactory(owner=officer)
    pk = action.pk
    Action.objects.filter(pk=pk).delete()
    deleted = AuditEvent.objects.filter(pgh_obj_model="actions.Action", pgh_obj_id=str(pk))
    assert sorted(e.pgh_label for e in deleted) == ["delete", "insert"]
    inspection = InspectionFactory()
    JudgementFactory(inspection=inspection)
    inspection.delete()  # cascades to its judgements
    assert AuditEvent.objects.filter(pgh_obj_model="inspections.Judgement", pgh_label="delete")


def test_bulk_updates_and_raw_sql_are_recorded(officer):
    actions = [ActionFactory(owner=officer) for _ in range(3)]
    Action.objects.filter(pk__in=[a.pk for a in actions]).update(percent_complete=55)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE actions_action SET title = 'Changed by SQL' WHERE id = %s", [actions[0].pk]
        )
    for action in actions:
        assert events_for(action, "update")[0].pgh_diff["percent_complete"] == [20, 55]
    raw = events_for(actions[0], "update")[-1]
    assert raw.pgh_diff["title"][1] == "Changed by SQL"
    assert raw.pgh_context is None  # nobody said who: shown as outside the app
    assert history_for(actions[0])[0].source == OUTSIDE_APP


def test_progress_updates_are_recorded_through_the_service(officer, today):
    action = ActionFactory(owner=officer)
    with audit_source("web", user=officer.pk, url="/test/"):
        action_record_progress(
            user=officer,
            pk=action.pk,
            expected_version=action.version,
            change=Change(status="at_risk", note="Recruitment is behind"),
            on=today,
        )
    update = ProgressUpdate.objects.get(action=action)
    event = events_for(update)[0]
    assert event.pgh_label == "insert"
    assert event.pgh_data["note"] == "Recruitment is behind"
    assert event.pgh_context["user"] == officer.pk


# --- Who and from where -------------------------------------------------------------------


def test_web_changes_record_the_person_the_address_and_the_request_id(as_user, officer):
    action = ActionFactory(owner=officer)
    prefix = f"a{action.pk}-"
    response = as_user(officer).post(
        reverse("actions:action_update", args=[action.pk]),
        {
            prefix + "version": action.version,
            prefix + "status": "at_risk",
            prefix + "percent_complete": 25,
            prefix + "due_date": action.due_date.isoformat(),
            prefix + "note": "Recruitment is behind",
        },
        headers={"X-Request-ID": "req-abc-123"},
    )
    assert response.status_code == 302
    event = events_for(action, "update")[-1]
    assert event.pgh_diff["status"] == ["on_track", "at_risk"]
    assert event.pgh_context["user"] == officer.pk
    assert event.pgh_context["url"] == reverse("actions:action_update", args=[action.pk])
    assert event.pgh_context["source"] == "web"
    assert event.pgh_context["request_id"] == "req-abc-123"
    entry = history_for(action)[0]
    assert entry.person == officer
    assert entry.source == "Web"


def test_admin_changes_are_marked_admin(as_user, administrator, officer):
    from django.contrib.auth.models import Permission

    administrator.user_permissions.add(Permission.objects.get(codename="change_priority"))
    priority = Priority.objects.create(number=8, title="Eight")
    response = as_user(administrator).post(
        reverse("admin:actions_priority_change", args=[priority.pk]),
        {"number": 8, "title": "Eight, from the admin", "description": ""},
    )
    assert response.status_code == 302, response.content[:500]
    event = events_for(priority, "update")[-1]
    assert event.pgh_context["source"] == "admin"
    assert event.pgh_context["user"] == administrator.pk
    assert history_for(priority)[0].source == "Admin site"


def test_tasks_imports_and_commands_say_where_changes_came_from(officer, settings):
    from medway_improve.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    action = ActionFactory(owner=officer)

    @app.task(name="tests.audit.rename_action")
    def rename_action(pk):
        Action.objects.filter(pk=pk).update(title="Renamed by a task")

    app.conf.task_always_eager = True
    try:
        rename_action.delay(action.pk)
    finally:
        app.conf.task_always_eager = False
    with audit_source("import", file="plan.xlsx"):
        Action.objects.filter(pk=action.pk).update(title="Renamed by an import")
    with audit_source("command", command="fix_titles"):
        Action.objects.filter(pk=action.pk).update(title="Renamed by a command")
    contexts = [e.pgh_context for e in events_for(action, "update")]
    assert contexts[0]["source"] == "task"
    assert contexts[0]["task"] == "tests.audit.rename_action"
    assert contexts[1] == {"source": "import", "file": "plan.xlsx"}
    assert contexts[2] == {"source": "command", "command": "fix_titles"}
    assert [e.source for e in history_for(action)[:3]] == [
        "Command line",
        "Import",
        "Background task",
    ]


def test_indicator_values_and_column_choices_imported_are_marked_as_imports(officer, lead):
    from imports.indicator_values import indicator_values_import
    from imports.services import column_mapping_remember
    from tests.factories import IndicatorFactory

    indicator = IndicatorFactory(code="sw-vacancy-rate", owner=officer)
    indicator_values_import(
        user=officer,
        data=b"indicator,period_end,value\nsw-vacancy-rate,2023-09-30,21.5\n",
    )
    value = indicator.values.get()
    [created] = events_for(value, "insert")
    assert created.pgh_context["source"] == "import"
    assert history_for(value)[0].source == "Import"

    pending = PendingUploadFactory(
        kind=PendingUpload.Kind.ACTION_PLAN,
        uploaded_by=lead,
        filename="plan.xlsx",
        file=ContentFile(b"", name="plan.xlsx"),
    )
    column_mapping_remember(
        user=lead,
        pending=pending,
        sheet="Plan",
        header_row=0,
        headings=["Reference", "Title"],
        columns={"reference": 0, "title": 1},
    )
    [remembered] = events_for(ColumnMapping.objects.get(), "insert")
    assert remembered.pgh_context["source"] == "import"
    assert remembered.pgh_context["file"] == "plan.xlsx"


def test_an_unknown_source_is_refused():
    with pytest.raises(ValueError, match="Unknown audit source"):
        audit_source("email")


# --- Nobody can rewrite history -----------------------------------------------------------


def test_history_rows_cannot_be_changed_or_deleted_by_the_orm_or_sql(officer):
    from actions.models import ActionEvent

    action = ActionFactory(owner=officer)
    event = ActionEvent.objects.get(pgh_obj=action)
    for attempt in (
        lambda: ActionEvent.objects.filter(pk=event.pk).update(title="Forged"),
        lambda: ActionEvent.objects.filter(pk=event.pk).delete(),
        lambda: event.delete(),
    ):
        with pytest.raises(REFUSED), transaction.atomic():
            attempt()
    for sql in (
        "UPDATE actions_actionevent SET title = 'Forged'",
        "DELETE FROM actions_actionevent",
    ):
        with pytest.raises(REFUSED), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert ActionEvent.objects.get(pk=event.pk).title == action.title


def test_every_event_table_is_append_only():
    import pghistory.models
    from django.apps import apps

    event_models = [
        m for m in apps.get_models() if issubclass(m, pghistory.models.Event) and not m._meta.proxy
    ]
    assert len(event_models) >= 13
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT event_object_table FROM information_schema.triggers "
            "WHERE trigger_name LIKE 'pgtrigger_append_only%%' AND event_manipulation = 'DELETE'"
        )
        protected = {row[0] for row in cursor.fetchall()}
    unprotected = {m._meta.db_table for m in event_models} - protected
    assert not unprotected, f"event tables without append-only protection: {unprotected}"


def test_who_and_where_cannot_be_rewritten(officer):
    action = ActionFactory(owner=officer)
    with audit_source("web", user=officer.pk, url="/x/"):
        Action.objects.filter(pk=action.pk).update(title="Changed")
    context = Context.objects.get()
    # The test runs in one transaction; a later request would start without the context
    # pghistory set for this one, so clear it as a new transaction would have it.
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pghistory.context_id', '', true)")
    for attempt in (
        lambda: Context.objects.filter(pk=context.pk).update(metadata={"user": 999}),
        lambda: Context.objects.filter(pk=context.pk).delete(),
    ):
        with pytest.raises(REFUSED), transaction.atomic():
            attempt()
    assert Context.objects.get().metadata["user"] == officer.pk


def test_the_admin_shows_history_read_only(as_user, administrator, officer):
    ActionFactory(owner=officer)
    model_admin = admin.site._registry[AuditEvent]
    request = type("R", (), {"user": administrator})()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    superuser = UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    response = as_user(superuser).get(reverse("admin:audit_auditevent_changelist"))
    assert response.status_code == 200
    assert b"actions.Action" in response.content
    assert as_user(superuser).get(reverse("admin:audit_auditevent_add")).status_code == 403


# --- Reading it ---------------------------------------------------------------------------


def test_an_actions_history_includes_its_updates_evidence_and_due_dates(officer, today):
    action = ActionFactory(owner=officer)
    with audit_source("web", user=officer.pk):
        action_record_progress(
            user=officer,
            pk=action.pk,
            expected_version=action.version,
            change=Change(
                due_date=action.due_date + dt.timedelta(days=14),
                due_date_reason="Waiting for the new system",
                evidence_note="Audit report",
                note="Moved",
            ),
            on=today,
        )
    other = ActionFactory(owner=officer)
    entries = history_for(action)
    types = {e.record_type for e in entries}
    assert {"Action", "Progress update", "Due date change", "Evidence"} <= types
    assert all(e.record_id != str(other.pk) or e.record_type != "Action" for e in entries)
    change = next(e for e in entries if e.record_type == "Action" and e.event == "Changed")
    due = next(c for c in change.changes if c.field == "Current due date")
    assert due.after == date_format(action.due_date + dt.timedelta(days=14), "DATE_FORMAT")
    assert change.person == officer
    html = render_to_string("audit/includes/history.html", {"history": entries})
    assert "History of changes" in html
    assert "Waiting for the new system" in html
    assert escape(officer.display_name) in html


def test_an_inspections_history_includes_its_judgements_and_areas():
    inspection = InspectionFactory()
    JudgementFactory(inspection=inspection)
    area = AreaForImprovementFactory(inspection=inspection)
    area.text = "Reworded"
    area.save()
    types = {e.record_type for e in history_for(inspection)}
    assert {"Inspection", "Judgement", "Area for improvement"} <= types


def test_foreign_keys_and_choices_read_as_names(officer, other_officer):
    action = ActionFactory(owner=officer)
    action.owner = other_officer
    action.status = "off_track"
    action.save()
    change = next(e for e in history_for(action) if e.event == "Changed")
    fields = {c.field: (c.before, c.after) for c in change.changes}
    assert fields["Lead officer"] == (officer.display_name, other_officer.display_name)
    assert fields["Status"] == ("On track", "Off track")
    assert "Updated at" not in fields and "Version" not in fields


# --- Export -------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_leads_export_the_history_for_a_date_range(as_user, lead, officer):
    officer.first_name = '=HYPERLINK("http://evil.example")'
    officer.save()
    action = ActionFactory(owner=officer)
    with audit_source("web", user=officer.pk):
        Action.objects.filter(pk=action.pk).update(title="Changed")
    today = database_today()  # history is stamped by the database's clock
    response = as_user(lead).get(
        reverse("audit:history_export"), {"start": today.isoformat(), "end": today.isoformat()}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0][:3] == ["Time", "Person", "Username"]
    mine = [r for r in rows[1:] if r[6] == "Action" and r[7] == str(action.pk)]
    assert [r[8] for r in mine] == ["Created", "Changed"]
    assert mine[1][9] == f"Title: {action.title} → Changed"
    # A formula in the data is written as text, not something a spreadsheet would run.
    assert mine[1][1].startswith("'=HYPERLINK")
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_the_export_leaves_out_other_days(as_user, lead, officer):
    ActionFactory(owner=officer)
    yesterday = database_today() - dt.timedelta(days=1)
    response = as_user(lead).get(
        reverse("audit:history_export"),
        {"start": (yesterday - dt.timedelta(days=5)).isoformat(), "end": yesterday.isoformat()},
    )
    assert len(_csv(response)) == 1  # the header alone


def test_the_export_pages_through_long_histories(officer):
    actions = ActionFactory.create_batch(5, owner=officer)
    today = database_today()
    entries = list(history_between(today, today, batch=2))
    ids = [e.record_id for e in entries if e.record_type == "Action"]
    assert sorted(ids) == sorted(str(a.pk) for a in actions)
    assert len(entries) == len({(e.record_model, e.record_id, e.when, e.event) for e in entries})


def test_the_export_form_explains_a_bad_range(as_user, lead):
    response = as_user(lead).get(
        reverse("audit:history_export"), {"start": "2026-05-02", "end": "2026-05-01"}
    )
    assert response.status_code == 422
    assert b"The last day must be the same as or after the first day" in response.content
    response = as_user(lead).get(reverse("audit:history_export"), {"start": "2026-13-40"})
    assert response.status_code == 422
    assert b"Enter the first day as a real date" in response.content
    assert b"Enter the last day to export" in response.content


def test_only_leads_and_administrators_can_export(as_user, officer, board_member):
    for user in (officer, board_member):
        assert as_user(user).get(reverse("audit:history_export")).status_code == 403


@pytest.mark.parametrize(
    "value,expected",
    [
        ("=1+1", "'=1+1"),
        ("+44 1634", "'+44 1634"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Plain text", "Plain text"),
        (None, ""),
    ],
)
def test_cells_are_defused_for_spreadsheets(value, expected):
    assert safe_cell(value) == expected


def test_users_role_changes_are_recorded(officer):
    from django.contrib.auth.models import Group

    officer.groups.add(Group.objects.get(name=Role.IMPROVEMENT_LEAD.value))
    from accounts.models import UserRoleEvent

    event = UserRoleEvent.objects.latest("pgh_id")
    assert event.pgh_label == "insert"
    assert event.user_id == officer.pk
    officer.set_password("another-long-password")
    officer.save()
    assert all("password" not in (e.pgh_diff or {}) for e in events_for(officer))
    assert User.objects.get(pk=officer.pk)


def test_every_model_the_issue_names_is_tracked():
    import pghistory.models
    from django.apps import apps

    tracked = {
        m.pgh_tracked_model
        for m in apps.get_models()
        if issubclass(m, pghistory.models.Event) and not m._meta.proxy
    }
    expected = {
        Inspection,
        Judgement,
        AreaForImprovement,
        AreaCovered,
        Strength,
        Priority,
        Action,
        Action.areas.through,
        ProgressUpdate,
        DueDateChange,
        Evidence,
        User,
        Indicator,
        Indicator.priorities.through,
        Indicator.areas.through,
        IndicatorValue,
        Comparator,
        Risk,
        Risk.actions.through,
        RiskRating,
        RiskMatrix,
        LikelihoodLevel,
        ImpactLevel,
        MatrixCell,
        ReminderSettings,
        ReminderPreference,
        ColumnMapping,
    }
    assert expected <= tracked, expected - tracked
    # The high-volume delivery records and the uploads waiting for review are not audited.
    assert not {Reminder, DueDateNotice, ReminderRun, PendingUpload} & tracked


def test_an_export_for_an_impossible_period_asks_for_real_dates(as_user, lead):
    response = as_user(lead).get(
        reverse("audit:history_export"), {"start": "0001-01-01", "end": "9999-12-31"}
    )
    assert response.status_code == 422
    assert b"Enter a date between 1 January 2000 and 31 December 2099" in response.content
    assert b"govuk-error-summary" in response.content
