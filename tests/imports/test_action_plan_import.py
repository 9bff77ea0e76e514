"""Action plan spreadsheets: column choices, the preview of every row, all-or-nothing import,
re-import as update, and the round trip through the export."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from actions.models import Action, DueDateChange, Evidence, Priority, ProgressUpdate, Status
from imports.action_plan import Lookups, build_preview, guess_columns
from imports.models import ColumnMapping, PendingUpload
from imports.spreadsheets import read_sheet
from tests.factories import (
    ActionFactory,
    AreaForImprovementFactory,
    InspectionFactory,
    PriorityFactory,
    UserFactory,
)
from tests.imports.sheets import (
    HEADINGS,
    csv_bytes,
    fingerprint,
    preview_of,
    upload_sheet,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def plan(db):
    """Three priorities, four people (two share a name), areas from 2019 and two 2022 visits."""
    priorities = {n: PriorityFactory(number=n, title=f"Priority {n} title") for n in (1, 2, 3)}
    people = {
        "sam": UserFactory(
            username="spatel", first_name="Sam", last_name="Patel", role=Role.OFFICER
        ),
        "helen": UserFactory(
            username="hmarsh", first_name="Helen", last_name="Marsh", role=Role.OFFICER
        ),
        "jo1": UserFactory(
            username="jsmith1", first_name="Jo", last_name="Smith", role=Role.OFFICER
        ),
        "jo2": UserFactory(
            username="jsmith2", first_name="Jo", last_name="Smith", role=Role.OFFICER
        ),
        "gone": UserFactory(
            username="left", first_name="Lee", last_name="Gone", role=Role.OFFICER, is_active=False
        ),
    }
    ilacs = InspectionFactory(start_date=dt.date(2019, 7, 15))
    visit_may = InspectionFactory(kind="monitoring_visit", start_date=dt.date(2022, 5, 11))
    visit_nov = InspectionFactory(kind="monitoring_visit", start_date=dt.date(2022, 11, 2))
    areas = {
        "2019/1": AreaForImprovementFactory(
            inspection=ilacs, order=1, text="Senior managers' oversight"
        ),
        "2019/2": AreaForImprovementFactory(inspection=ilacs, order=2, text="Staffing capacity"),
        "2019/3": AreaForImprovementFactory(inspection=ilacs, order=3, text="The response to risk"),
        "2022-05/1": AreaForImprovementFactory(inspection=visit_may, order=1, text="Safety plans"),
        "2022-11/1": AreaForImprovementFactory(inspection=visit_nov, order=1, text="Pathway plans"),
    }
    return {"priorities": priorities, "people": people, "areas": areas}


def row(reference="1.1", **values) -> list[object]:
    base = {
        "Title": "Refresh the practice standards",
        "Description": "",
        "Priority": "1",
        "Areas for improvement": "2019/1",
        "Lead officer": "spatel",
        "Accountable senior manager": "hmarsh",
        "Start date": "2026-01-05",
        "Baseline due date": "",
        "Due date": "2026-12-31",
        "Status": "On track",
        "Percent complete": "20",
        "Completed date": "",
        "Evidence": "",
    }
    base.update(
        {k.replace("_", " ").capitalize() if k not in base else k: v for k, v in values.items()}
    )
    return [reference] + [base[h] for h in HEADINGS[1:]]


def preview(rows, *, today=TODAY):
    sheet = read_sheet(csv_bytes([HEADINGS, *rows]), max_rows=1000, max_bytes=10**7)
    return build_preview(sheet, header_row=0, columns=guess_columns(HEADINGS), today=today)


def problems(rows) -> list[list[str]]:
    return [r.problems for r in preview(rows).rows]


# --- Reading cells ---------------------------------------------------------------------------


def test_new_actions_from_every_way_of_writing_a_value(plan, as_user, lead):
    p, areas = plan["people"], plan["areas"]
    rows = [
        row("1.1"),
        row(
            "1.2",
            **{
                "Title": "  Train every team  ",
                "Description": "Line one\nLine two",
                "Priority": "2. Priority 2 title",
                "Areas for improvement": "2019/2; 2022-05/1\nThe response to risk",
                "Lead officer": "Sam Patel",
                "Accountable senior manager": p["helen"].email.upper(),
                "Start date": "05/01/2026",
                "Baseline due date": "1 March 2026",
                "Due date": "31 Mar 2026",
                "Status": "at risk",
                "Percent complete": "45%",
            },
        ),
        row(
            "2.10",
            **{
                "Priority": "Priority 3",
                "Lead officer": "jsmith2",
                "Status": "Not started",
                "Percent complete": "",
            },
        ),
    ]
    client = as_user(lead)
    url, page = preview_of(client, csv_bytes([HEADINGS, *rows]))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('govuk-tag--green">New') == 3
    assert "Import 3 new and update 0 actions" in html
    assert Action.objects.count() == 0  # nothing written by the preview

    done = client.post(url, {"fingerprint": fingerprint(page)})
    assert done.status_code == 302
    assert done["Location"] == reverse("actions:action_list")
    assert not PendingUpload.objects.exists()
    second = Action.objects.get(reference="1.2")
    assert second.title == "Train every team"
    assert second.description == "Line one\nLine two"
    assert second.priority.number == 2
    assert set(second.areas.all()) == {areas["2019/2"], areas["2022-05/1"], areas["2019/3"]}
    assert (second.owner, second.accountable) == (p["sam"], p["helen"])
    assert (second.start_date, second.baseline_due_date, second.due_date) == (
        dt.date(2026, 1, 5),
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 31),
    )
    assert (second.status, second.percent_complete) == (Status.AT_RISK, 45)
    first = Action.objects.get(reference="1.1")
    assert first.baseline_due_date == first.due_date == dt.date(2026, 12, 31)
    third = Action.objects.get(reference="2.10")
    assert (third.priority.number, third.owner, third.percent_complete) == (3, p["jo2"], 0)
    assert ProgressUpdate.objects.count() == 0 and DueDateChange.objects.count() == 0
    message = client.get(done["Location"]).content.decode()
    assert "Imported plan.csv: 3 new actions, 0 updated, 0 unchanged." in message


def test_every_kind_of_row_problem_is_shown_before_anything_is_written(plan, as_user, lead):
    existing = ActionFactory(
        reference="9.9",
        start_date=dt.date(2026, 1, 1),
        baseline_due_date=dt.date(2026, 6, 30),
        due_date=dt.date(2026, 6, 30),
    )
    rows = [
        row("1", **{"Lead officer": "Nobody Known"}),
        row("2", **{"Lead officer": "Jo Smith"}),
        row("3", **{"Due date": "31/02/2026"}),
        row("4", **{"Priority": "7"}),
        row("5", **{"Areas for improvement": "2019/8"}),
        row("6", **{"Areas for improvement": "2022/1"}),
        row("7", **{"Areas for improvement": "Something Ofsted never said"}),
        row("8"),
        row("8"),
        row(""),
        row("10", **{"Start date": "2026-06-01", "Due date": "2026-05-01"}),
        row(
            "9.9",
            **{
                "Baseline due date": "2026-07-31",
                "Start date": "",
                "Due date": "",
                "Lead officer": "",
                "Accountable senior manager": "",
                "Title": "",
                "Priority": "",
            },
        ),
        row("11", **{"Status": "Complete", "Percent complete": "100"}),
        row("12", **{"Completed date": "2026-02-01"}),
        row("13", **{"Percent complete": "140"}),
        row("14", **{"Percent complete": "lots"}),
        row("15", **{"Status": "Nearly there"}),
        row("16", **{"Title": "", "Lead officer": "", "Due date": ""}),
        row("17", **{"Lead officer": "left"}),
        row("18", **{"Percent complete": "0.45"}),
    ]
    client = as_user(lead)
    url, page = preview_of(client, csv_bytes([HEADINGS, *rows]))
    html = page.content.decode()
    expected = [
        "Unknown lead officer “Nobody Known”: use the username, email or full name",
        "Lead officer: more than one person has the name “Jo Smith”. Use their username.",
        "Due date “31/02/2026” is not a date",
        "Unknown priority “7”: use a priority number (1, 2, 3).",
        "Unknown area for improvement “2019/8”",
        "Area for improvement “2022/1” could be 2022-05/1 or 2022-11/1: write which.",
        "Unknown area for improvement “Something Ofsted never said”",
        "Reference 8 is on more than one row (also row 10).",
        "Reference 8 is on more than one row (also row 9).",
        "No reference: every action needs one, for example 2.3.",
        "The due date cannot be before the start date, 1 June 2026.",
        "The baseline due date never changes: it is 30 June 2026.",
        "Give evidence that the action is complete (an Evidence column).",
        "Only a complete action has a completion date: clear that cell.",
        "Percent complete must be between 0 and 100.",
        "Percent complete “lots” is not a number",
        "Unknown status “Nearly there”: use one of Not started, On track, At risk, Off track, "
        "Complete, Cancelled.",
        "A new action needs a title, a lead officer and a due date.",
        "Lead officer: Lee Gone can no longer sign in. Choose someone else.",
        "Percent complete 0.45 is ambiguous",
    ]
    for message in expected:
        assert message in html.replace("&#x27;", "'"), message
    assert "20 rows can’t be imported" in html
    assert 'name="fingerprint"' not in html  # no import button
    previewed = preview(rows)
    assert [r.number for r in previewed.rows if r.problems] == list(range(2, 22))
    # Forcing the import anyway writes nothing.
    response = client.post(url, {"fingerprint": previewed.fingerprint})
    assert response.status_code == 409
    assert Action.objects.count() == 1
    existing.refresh_from_db()
    assert existing.baseline_due_date == dt.date(2026, 6, 30)


def test_a_missing_owner_is_reported_once(plan):
    [messages] = problems([row("1", **{"Lead officer": "Nobody"})])
    assert len(messages) == 1


def test_all_or_nothing(plan, as_user, lead):
    good = [row(f"1.{n}") for n in range(1, 4)]
    client = as_user(lead)
    url, page = preview_of(client, csv_bytes([HEADINGS, *good, row("2.1", **{"Due date": "soon"})]))
    assert "1 row can’t be imported" in page.content.decode()
    response = client.post(url, {"fingerprint": fingerprint_or_blank(page)})
    assert response.status_code == 409
    assert Action.objects.count() == 0


def fingerprint_or_blank(page) -> str:
    try:
        return fingerprint(page)
    except AttributeError:
        return "0" * 64


def test_a_row_moving_a_due_date_without_a_reason_is_a_problem(plan, as_user, lead):
    client = as_user(lead)
    due = TODAY + dt.timedelta(days=40)
    later = TODAY + dt.timedelta(days=120)
    url, page = preview_of(
        client, csv_bytes([HEADINGS, row("1.1", **{"Due date": due.isoformat()})])
    )
    client.post(url, {"fingerprint": fingerprint(page)})

    moved = row("1.1", **{"Due date": later.isoformat()})
    url, page = preview_of(client, csv_bytes([HEADINGS, moved]), name="export-edited.xlsx.csv")
    html = page.content.decode()
    assert f"The due date moves from {due:%-d %B %Y} to {later:%-d %B %Y}: give the reason" in html
    assert 'name="fingerprint"' not in html  # nothing to confirm until the sheet is fixed
    response = client.post(url, {"fingerprint": "0" * 64})
    assert response.status_code != 302
    assert Action.objects.get(reference="1.1").due_date == due
    assert not DueDateChange.objects.exists()
    assert "Imported from" not in html


def test_import_refuses_if_the_plan_changed_after_the_preview(plan, as_user, lead):
    client = as_user(lead)
    url, page = preview_of(client, csv_bytes([HEADINGS, row("1.1"), row("1.2")]))
    # Someone adds it meanwhile (due when the sheet says: moving it would need a reason).
    sheet_due = dt.date.fromisoformat(row("1.2")[HEADINGS.index("Due date")])
    ActionFactory(
        reference="1.2",
        priority=plan["priorities"][1],
        start_date=sheet_due - dt.timedelta(days=90),
        baseline_due_date=sheet_due,
        due_date=sheet_due,
    )
    response = client.post(url, {"fingerprint": fingerprint(page)})
    assert response.status_code == 409
    html = response.content.decode()
    assert "The plan changed after you checked the preview" in html
    assert Action.objects.count() == 1
    # The page now shows the new preview: 1.2 is an update, and it can be imported.
    again = client.post(url, {"fingerprint": fingerprint(client.get(url))})
    assert again.status_code == 302
    assert Action.objects.count() == 2


# --- Re-importing updates ----------------------------------------------------------------------


def test_reimporting_updates_and_follows_the_plan_rules(plan, as_user, lead):
    client = as_user(lead)
    due = TODAY + dt.timedelta(days=40)
    later = TODAY + dt.timedelta(days=120)
    first = [
        row(n, **{"Start date": "2026-01-05", "Due date": due.isoformat()}) for n in ("1.1", "1.2")
    ]
    url, page = preview_of(client, csv_bytes([HEADINGS, *first]))
    client.post(url, {"fingerprint": fingerprint(page)})
    action = Action.objects.get(reference="1.1")
    assert action.version == 1

    changed = [
        row(
            "1.1",
            **{
                "Title": "Refresh and embed the practice standards",
                "Start date": "2026-01-05",
                "Due date": later.isoformat(),
                "Status": "Off track",
                "Percent complete": "35",
                "Lead officer": "Helen Marsh",
            },
        ),
        first[1],
        row(
            "1.3",
            **{
                "Status": "Complete",
                "Percent complete": "100",
                "Completed date": "2026-02-01",
                "Evidence": "Audit report March 2026",
            },
        ),
    ]
    # The reason for the new due date is a column of its own, mapped like any other.
    reasons = ["The new case system arrives in the spring", "", ""]
    changed = [r + [reason] for r, reason in zip(changed, reasons, strict=True)]
    headings = [*HEADINGS, "Reason for due-date change"]
    url, page = preview_of(client, csv_bytes([headings, *changed]), name="plan v2.csv")
    html = page.content.decode()
    assert f"Due date: {due:%-d %b %Y} → {later:%-d %b %Y}" in html
    assert "The new case system arrives in the spring" in html
    assert "Status: On track → Off track" in html
    assert "Lead officer: Sam Patel → Helen Marsh" in html
    assert "Import 1 new and update 1 action" in html
    response = client.post(url, {"fingerprint": fingerprint(page)})
    assert response.status_code == 302

    assert Action.objects.count() == 3
    action.refresh_from_db()
    assert action.title == "Refresh and embed the practice standards"
    assert action.due_date == later
    assert action.baseline_due_date == due
    assert (action.status, action.percent_complete) == (Status.OFF_TRACK, 35)
    assert action.owner == plan["people"]["helen"]
    assert action.version == 2
    change = DueDateChange.objects.get(action=action)
    assert (change.old_date, change.new_date, change.changed_by) == (due, later, lead)
    assert change.reason == "The new case system arrives in the spring"
    update = ProgressUpdate.objects.get(action=action)
    assert (update.status_before, update.status_after) == (Status.ON_TRACK, Status.OFF_TRACK)
    assert (update.percent_before, update.percent_after) == (20, 35)
    assert (update.rag_before, update.rag_after) == ("green", "red")
    assert update.action_version == 2
    assert update.author == lead
    assert update.note == "Imported from plan v2.csv."
    untouched = Action.objects.get(reference="1.2")
    assert untouched.version == 1
    assert not ProgressUpdate.objects.filter(action=untouched).exists()
    done = Action.objects.get(reference="1.3")
    assert (done.status, done.completed_date, done.percent_complete) == (
        Status.COMPLETE,
        dt.date(2026, 2, 1),
        100,
    )
    assert Evidence.objects.get(action=done).note == "Audit report March 2026"


def test_blank_cells_leave_values_as_they_are(plan, as_user, lead):
    action = ActionFactory(reference="3.1", title="Keep me", priority=plan["priorities"][2])
    before = (action.title, action.owner_id, action.due_date, action.status, action.version)
    blank = row("3.1", **dict.fromkeys(HEADINGS[1:], ""))
    [previewed] = preview([blank]).rows
    assert previewed.outcome == "unchanged"
    assert previewed.problems == []
    action.refresh_from_db()
    assert (action.title, action.owner_id, action.due_date, action.status, action.version) == before


def test_partial_sheet_with_only_reference_and_status(plan, as_user, lead):
    action = ActionFactory(reference="4.1", priority=plan["priorities"][1], status=Status.ON_TRACK)
    client = as_user(lead)
    sheet = csv_bytes([["Ref", "Current status"], ["4.1", "At risk"]])
    url, page = preview_of(client, sheet)
    assert "Status: On track → At risk" in page.content.decode()
    client.post(url, {"fingerprint": fingerprint(page)})
    action.refresh_from_db()
    assert action.status == Status.AT_RISK


# --- Column choices --------------------------------------------------------------------------


def test_unknown_headings_are_mapped_by_hand_and_remembered(plan, as_user, lead):
    client = as_user(lead)
    rows = [
        ["Medway improvement plan 2026", None, None, None],
        [None, None, None, None],
        ["Action number", "What we will do", "Who", "Deadline"],
        ["5.1", "Hold a practice week", "spatel", "2026-09-30"],
    ]
    response = upload_sheet(client, xlsx_bytes(rows), name="Medway plan.xlsx")
    columns_url = response["Location"]
    assert columns_url.endswith("/columns/")
    page = client.get(columns_url)
    html = page.content.decode()
    assert "Column A: Action number" in html
    assert "For example: 5.1" in html
    assert 'name="header_row" value="3"' in html  # the title rows were skipped

    # Reference is needed, and each field once.
    refused = client.post(
        columns_url,
        {
            "sheet": "Plan",
            "header_row": "3",
            "column_0": "",
            "column_1": "title",
            "column_2": "title",
        },
    )
    assert refused.status_code == 422
    text = refused.content.decode()
    assert "Choose the column that holds the reference" in text
    assert "Title is already column B: choose one column for each field." in text

    mapping = {
        "sheet": "Plan",
        "header_row": "3",
        "column_0": "reference",
        "column_1": "title",
        "column_2": "owner",
        "column_3": "due_date",
    }
    response = client.post(columns_url, mapping)
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "A new action needs a priority, an accountable senior manager and a start date." in (
        page.content.decode()
    )
    assert ColumnMapping.objects.count() == 1

    # The same headings next time: straight to the preview with the same choices.
    again = upload_sheet(client, xlsx_bytes(rows), name="Medway plan (2).xlsx")
    assert again["Location"].endswith("/preview/")
    html = client.get(again["Location"]).content.decode()
    assert "Reference (A), Title (B), Lead officer (C), Due date (D)" in html


def test_a_different_header_row_can_be_chosen(plan, as_user, lead):
    client = as_user(lead)
    rows = [["Reference", "Title"], ["Ref", "Name"], ["1.1", "x"]]
    response = upload_sheet(client, csv_bytes(rows))
    url = response["Location"]
    page = client.get(url, {"header_row": "2"})
    assert "Column A: Ref" in page.content.decode()
    assert 'name="header_row" value="2"' in page.content.decode()
    bad = client.get(url, {"header_row": "99"})
    assert "Ensure this value is less than or equal to 3." in bad.content.decode()


def test_sheet_upload_errors(plan, as_user, lead, settings):
    client = as_user(lead)
    old_excel = upload_sheet(client, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "plan.xls")
    assert old_excel.status_code == 422
    assert "old-style Excel file (.xls)" in old_excel.content.decode()
    settings.IMPORT_MAX_ROWS = 3
    too_long = upload_sheet(client, csv_bytes([HEADINGS] + [row(str(n)) for n in range(5)]))
    assert "more than 3 rows of actions" in too_long.content.decode()
    settings.IMPORT_MAX_SPREADSHEET_BYTES = 100
    too_big = upload_sheet(client, csv_bytes([HEADINGS, row()]))
    assert "over the 100\xa0bytes limit for action plan spreadsheets" in too_big.content.decode()
    assert not PendingUpload.objects.exists()


@pytest.mark.parametrize("who", ["board_member", "officer"])
def test_only_leads_import_plans(request, as_user, who, plan):
    client = as_user(request.getfixturevalue(who))
    assert client.get(reverse("imports:action_plan_upload")).status_code == 403
    assert upload_sheet(client, csv_bytes([HEADINGS, row()])).status_code == 403


# --- Performance shape: the preview's queries do not grow with the rows ----------------------


def test_preview_queries_do_not_grow_with_rows(plan, django_assert_max_num_queries):
    for n in range(40):
        ActionFactory(reference=f"7.{n}", priority=plan["priorities"][1])
    small = [row(f"7.{n}") for n in range(3)]
    large = [row(f"7.{n}") for n in range(40)] + [row(f"8.{n}") for n in range(200)]
    for rows in (small, large):
        sheet = read_sheet(csv_bytes([HEADINGS, *rows]), max_rows=1000, max_bytes=10**7)
        with django_assert_max_num_queries(8):
            result = build_preview(
                sheet,
                header_row=0,
                columns=guess_columns(HEADINGS),
                today=TODAY,
                lookups=Lookups.load(),
            )
        assert len(result.rows) == len(rows)


def test_priorities_are_fetched_not_created(plan):
    preview([row("1.1", **{"Priority": "4"})])
    assert not Priority.objects.filter(number=4).exists()


def test_switching_sheet_and_filtering_the_preview(plan, as_user, lead):
    client = as_user(lead)
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "Notes"
    workbook.active.append(["Read me", "first"])
    second = workbook.create_sheet("Actions")
    second.append(HEADINGS)
    second.append(row("1.1"))
    second.append(row("1.2", **{"Due date": "never"}))
    import io

    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload_sheet(client, buffer.getvalue(), "two sheets.xlsx")
    columns_url = response["Location"]
    pending = PendingUpload.objects.get()
    assert pending.details["sheet"] == "Actions"  # the notes sheet in front was passed over
    assert client.get(reverse("imports:action_plan_preview", args=[pending.pk]))["Location"] == (
        columns_url
    )
    notes = client.get(columns_url, {"sheet": "Notes", "header_row": "1"}).content.decode()
    assert "Column A: Read me" in notes
    page = client.get(columns_url, {"sheet": "Actions", "header_row": "1"})
    html = page.content.decode()
    assert '<option value="Actions" selected>Actions</option>' in html
    assert "Column J: Due date" in html
    response = client.post(
        columns_url,
        {"sheet": "Actions", "header_row": "1"}
        | {f"column_{i}": field for field, i in guess_columns(HEADINGS).items()},
    )
    preview_url = response["Location"]
    problems_only = client.get(preview_url).content.decode()  # problems first by default
    assert "Due date “never” is not a date" in problems_only
    assert '<td class="govuk-table__cell">1.1</td>' not in problems_only
    everything = client.get(preview_url, {"show": "all"}).content.decode()
    assert '<td class="govuk-table__cell">1.1</td>' in everything

    cancel = client.post(reverse("imports:upload_cancel", args=[pending.pk]))
    assert cancel.status_code == 302
    assert not PendingUpload.objects.exists()
    assert Action.objects.count() == 0
