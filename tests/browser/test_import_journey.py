"""A lead brings an Ofsted PDF and an action plan spreadsheet in, in a real browser."""

from pathlib import Path

import pytest

from actions.models import Action
from inspections.models import Inspection, JudgementArea
from tests.conftest import axe_violations, sign_in
from tests.factories import PriorityFactory, UserFactory
from tests.imports.sheets import HEADINGS, xlsx_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ofsted"
SHOTS = Path("/tmp/improve-import-shots")


def shot(page, name):
    if SHOTS.parent.exists():
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_lead_turns_an_ofsted_pdf_into_an_inspection(page, live_server, lead):
    sign_in(page, live_server, lead.username)
    page.get_by_role("link", name="Import", exact=True).click()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Import an Ofsted document").click()
    assert axe_violations(page) == []

    # A scanned PDF gets a clear message, in the GOV.UK error pattern.
    page.get_by_label("Upload the reports or letters").set_input_files(
        FIXTURES / "scanned_no_text.pdf"
    )
    page.get_by_role("button", name="Read the document").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert page.get_by_role("link", name="has no text layer", exact=False).is_visible()
    assert axe_violations(page) == []

    page.get_by_label("Upload the reports or letters").set_input_files(
        FIXTURES / "ilacs_standard_2023_medway.pdf"
    )
    page.get_by_role("button", name="Read the document").click()
    page.get_by_role("heading", name="Check the inspection before saving it").wait_for()
    shot(page, "review")
    assert axe_violations(page) == []
    assert page.get_by_label("Local authority").input_value() == "Medway"
    assert page.get_by_label("ILACS standard inspection").is_checked()
    # The dates read from the document fill the GOV.UK day, month and year boxes.
    start = page.get_by_role("group", name="First day on site")
    assert [start.get_by_label(box).input_value() for box in ("Day", "Month", "Year")] == [
        "17",
        "7",
        "2023",
    ]
    judgement = page.get_by_role("group", name="Judgement 3")
    assert judgement.get_by_label("Standard judgement area").input_value() == str(
        JudgementArea.objects.get(key="children-in-care").pk
    )

    # The lead corrects the title and a grade, and removes an area for improvement.
    page.get_by_label("Title or theme (optional)").fill("Inspection of Medway children's services")
    page.get_by_role("group", name="Judgement 2").get_by_label("Grade").select_option(label="Good")
    page.get_by_role("group", name="Area for improvement 5").get_by_label("Remove this row").check()
    assert Inspection.objects.count() == 0
    page.get_by_role("button", name="Save inspection").click()
    page.get_by_text("Saved: Inspection of Medway children's services, July 2023.").wait_for()

    inspection = Inspection.objects.get()
    assert inspection.judgements.get(area__key="help-and-protection").grade == 2
    assert inspection.areas_for_improvement.count() == 4
    assert inspection.source_document.name.endswith(".pdf")
    assert page.get_by_role("link", name="Download the document").is_visible()
    assert page.js_errors == []


def test_lead_imports_a_spreadsheet_plan(page, live_server, lead, tmp_path):
    PriorityFactory(number=1)
    UserFactory(username="spatel", first_name="Sam", last_name="Patel")
    rows = [
        ["Plan refresh, November"],
        [],
        ["Ref", "Action", "Priority", "Owner", "Accountable", "Start", "Due", "RAG status"],
        [
            "1.1",
            "Refresh practice standards",
            1,
            "Sam Patel",
            "spatel",
            "01/09/2026",
            "31/12/2026",
            "On track",
        ],
        [
            "1.2",
            "Train every team",
            1,
            "spatel",
            "spatel",
            "01/09/2026",
            "31/03/2027",
            "Not started",
        ],
    ]
    path = tmp_path / "plan.xlsx"
    path.write_bytes(xlsx_bytes(rows))
    assert len(HEADINGS) == 14

    sign_in(page, live_server, lead.username)
    page.goto(f"{live_server.url}/import/action-plan/")
    assert axe_violations(page) == []
    page.get_by_label("Upload the action plan").set_input_files(path)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Which column holds what?").wait_for()
    shot(page, "columns")
    assert axe_violations(page) == []
    assert page.get_by_label("Row with the column headings").input_value() == "3"
    page.get_by_label("Column B: Action").select_option(label="Title")
    page.get_by_label("Column E: Accountable").select_option(label="Accountable senior manager")
    page.get_by_role("button", name="Check the rows").click()
    page.get_by_role("heading", name="Check the import").wait_for()
    shot(page, "preview")
    assert axe_violations(page) == []
    assert Action.objects.count() == 0
    page.get_by_role("button", name="Import 2 new and update 0 actions").click()
    page.get_by_text("Imported plan.xlsx: 2 new actions, 0 updated, 0 unchanged.").wait_for()
    assert sorted(Action.objects.values_list("reference", "title")) == [
        ("1.1", "Refresh practice standards"),
        ("1.2", "Train every team"),
    ]
    assert page.js_errors == []
