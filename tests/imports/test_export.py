"""Exporting the action list: filters, formats, neutralised cells, and the round trip
(export → import changes nothing)."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from actions.models import Action, DueDateChange, Evidence, ProgressUpdate, Status
from imports.models import PendingUpload
from tests.factories import ActionFactory, AreaForImprovementFactory, EvidenceFactory, UserFactory
from tests.imports.sheets import HEADINGS, preview_of

pytestmark = pytest.mark.django_db

EXPORT = reverse("imports:action_export")


def export_rows(client, **params) -> list[list[str]]:
    response = client.get(EXPORT, {"format": "csv", **params})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def snapshot():
    return {
        "actions": sorted(
            Action.objects.values_list(
                "reference",
                "title",
                "description",
                "priority_id",
                "owner_id",
                "accountable_id",
                "start_date",
                "baseline_due_date",
                "due_date",
                "status",
                "percent_complete",
                "completed_date",
                "version",
                "updated_at",
            )
        ),
        "areas": sorted(
            Action.areas.through.objects.values_list("action_id", "areaforimprovement_id")
        ),
        "updates": ProgressUpdate.objects.count(),
        "due_changes": DueDateChange.objects.count(),
        "evidence": Evidence.objects.count(),
    }


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_round_trip_changes_nothing(demo, as_user, file_format):
    from accounts.models import User

    lead = User.objects.get(username="lead")
    # Awkward values: formula-like titles, a multi-line description, two people with one name.
    action = Action.objects.get(reference="1.1")
    action.title = "=SUM(A1) is not a formula here"
    action.description = "First line\r\nSecond line, with “quotes” and a, comma"
    action.save()
    twin = UserFactory(username="spatel2", first_name="Sam", last_name="Patel", role=Role.OFFICER)
    Action.objects.filter(reference="1.4").update(owner=twin)
    Action.objects.filter(reference="1.5").update(title="-1 day: @mention +plus")
    before = snapshot()

    client = as_user(lead)
    response = client.get(EXPORT, {"format": file_format})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="action-plan-')
    url, page = preview_of(client, response.content, name=f"action-plan.{file_format}")
    html = page.content.decode()
    total = Action.objects.count()
    assert "Nothing to import: every row matches the plan." in html
    assert 'name="fingerprint"' not in html
    assert page.context["counts"]["unchanged"] == total
    assert page.context["counts"]["problem"] == 0
    assert snapshot() == before
    assert PendingUpload.objects.count() == 1


def test_round_trip_through_the_import_service_writes_nothing(demo):
    from django.utils import timezone

    from accounts.models import User
    from actions.models import Action as A
    from imports.action_plan import Lookups, build_preview, export_actions, guess_columns
    from imports.action_plan_checks import action_import_upsert
    from imports.spreadsheets import read_sheet

    before = snapshot()
    today = timezone.localdate()
    data = export_actions(A.objects.for_list(), file_format="xlsx")
    sheet = read_sheet(data, max_rows=1000, max_bytes=10**7)
    preview = build_preview(
        sheet, header_row=0, columns=guess_columns(HEADINGS), today=today, lookups=Lookups.load()
    )
    result = action_import_upsert(
        user=User.objects.get(username="lead"), rows=preview.imported, source="x.xlsx", on=today
    )
    assert result.created == [] and result.updated == []
    assert len(result.unchanged) == A.objects.count()
    assert snapshot() == before


def test_export_uses_the_import_columns_and_values(as_user, lead):
    area = AreaForImprovementFactory(order=3)
    action = ActionFactory(
        reference="2.10",
        title="Hold a practice week",
        status=Status.COMPLETE,
        percent_complete=100,
        completed_date=action_date(),
        areas=[area],
    )
    EvidenceFactory(action=action, note="Older evidence", added_by=lead)
    EvidenceFactory(action=action, url="https://example.org/report", added_by=lead)
    [headings, row] = export_rows(as_user(lead))
    assert headings == [*HEADINGS, "Reason for due-date change"]
    values = dict(zip(headings, row, strict=True))
    assert values["Reason for due-date change"] == ""
    assert values["Reference"] == "2.10"
    assert values["Priority"] == "1"
    assert values["Areas for improvement"] == f"{area.inspection.start_date:%Y}/3"
    assert values["Lead officer"] == action.owner.get_full_name()
    assert values["Due date"] == action.due_date.isoformat()
    assert values["Status"] == "Complete"
    assert values["Completed date"] == action_date().isoformat()
    assert values["Evidence"] == "https://example.org/report"  # the newest


def action_date():
    import datetime as dt

    return dt.date(2026, 10, 1)


def test_export_cells_that_could_run_as_formulas_are_neutralised(as_user, lead):
    titles = ["=1+2", "+44 1634", "-10% budget", "@risk", "\tTabbed", "\rReturn"]
    for n, title in enumerate(titles, start=1):
        ActionFactory(reference=f"5.{n}", title=title, description='=HYPERLINK("http://evil")')
    rows = export_rows(as_user(lead), sort="reference")[1:]
    assert [r[1] for r in rows] == ["'" + t for t in titles]
    assert {r[2] for r in rows} == {'\'=HYPERLINK("http://evil")'}

    response = as_user(lead).get(EXPORT, {"format": "xlsx", "sort": "reference"})
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [sheet.cell(row=r, column=2) for r in range(2, 2 + len(titles))]
    assert [c.value for c in cells] == ["'" + t.replace("\r", "\n") for t in titles]
    assert {c.data_type for c in cells} == {"s"}


def test_export_applies_the_action_list_filters(as_user, board_member):
    ActionFactory(reference="1.1", status=Status.ON_TRACK, title="Alpha")
    ActionFactory(reference="1.2", status=Status.AT_RISK, title="Beta")
    ActionFactory(reference="1.3", status=Status.AT_RISK, title="Gamma")
    client = as_user(board_member)
    assert [r[0] for r in export_rows(client, status="at_risk")[1:]] == ["1.2", "1.3"]
    assert [r[0] for r in export_rows(client, q="Gamma")[1:]] == ["1.3"]
    assert [r[0] for r in export_rows(client, rag="amber", sort="-due_date")[1:]] == ["1.2", "1.3"]
    assert len(export_rows(client, status="nonsense")) == 4  # invalid filters are ignored


def test_export_defaults_to_xlsx(as_user, officer):
    response = as_user(officer).get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    assert response["Cache-Control"] == "private, no-store"


def test_export_needs_a_role(client, as_user):
    assert client.get(EXPORT)["Location"].startswith(reverse("accounts:login"))
    assert as_user(UserFactory(username="norole")).get(EXPORT).status_code == 403


def test_export_query_count_does_not_grow(as_user, lead, django_assert_max_num_queries):
    for n in range(30):
        ActionFactory(reference=f"3.{n}", areas=[AreaForImprovementFactory()])
    client = as_user(lead)
    with django_assert_max_num_queries(14):
        client.get(EXPORT, {"format": "csv"})
