"""A lead brings a council's Ofsted history in with one upload, in a real browser."""

from pathlib import Path

import pytest

from imports.models import PendingUpload
from inspections.models import AreaForImprovement, Inspection
from tests.conftest import axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REAL = Path(__file__).resolve().parents[2] / "inspections" / "demo_documents"
SHOTS = Path("/tmp/improve-import-shots")
# Uploaded out of date order on purpose.
DOCUMENTS = [
    "focused_visit_medway_2025-jun-02.pdf",
    "focused_visit_medway_2019-feb-28.pdf",
    "ilacs_medway_2023-sep-11.pdf",
]


def shot(page, name):
    if SHOTS.parent.exists():
        SHOTS.mkdir(exist_ok=True)
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})


def test_lead_uploads_a_councils_history_and_checks_it_in_date_order(
    page, live_server, lead, settings
):
    # Another council's lead: every Medway document is warned about.
    settings.COUNCIL_NAME = "Kent County Council"
    sign_in(page, live_server, lead.username)
    page.goto(f"{live_server.url}/import/ofsted/")
    page.get_by_label("Upload the reports or letters").set_input_files(
        [REAL / name for name in DOCUMENTS]
    )
    page.get_by_role("button", name="Read the document").click()

    page.get_by_role("heading", name="Check the documents one by one").wait_for()
    assert axe_violations(page) == []
    shot(page, "history-batch")
    rows = page.locator("tbody tr").all_inner_texts()
    assert [row.split("\t")[0].strip() for row in rows] == [
        "focused_visit_medway_2019-feb-28.pdf",
        "ilacs_medway_2023-sep-11.pdf",
        "focused_visit_medway_2025-jun-02.pdf",
    ]
    assert PendingUpload.objects.count() == 3 and Inspection.objects.count() == 0

    page.get_by_role("link", name="Check the first document").click()
    page.get_by_text("Document 1 of 3: focused_visit_medway_2019-feb-28.pdf").wait_for()
    warning = page.locator(".govuk-warning-text").first.inner_text()
    assert "not Kent County Council" in warning or "No local authority was read" in warning
    assert axe_violations(page) == []
    shot(page, "history-review")

    # The lead rewrites the first area's suggested short title.
    first_area = page.get_by_role("group", name="Area for improvement 1")
    short_title = first_area.get_by_label("Short title")
    assert short_title.input_value()  # suggested
    short_title.fill("Health partners at strategy meetings")
    page.get_by_role("button", name="Save inspection and check the next").click()

    page.get_by_text("Document 2 of 3: ilacs_medway_2023-sep-11.pdf").wait_for()
    assert page.get_by_text("Now check the next document (2 left)", exact=False).is_visible()
    assert page.locator(".govuk-warning-text").count() >= 1
    assert axe_violations(page) == []

    visit = Inspection.objects.get()
    assert visit.start_date.isoformat() == "2019-02-05"
    area = AreaForImprovement.objects.get(inspection=visit, order=1)
    assert area.short_title == "Health partners at strategy meetings"
    assert PendingUpload.objects.count() == 2

    # The short title is the area's heading.
    page.goto(live_server.url + area.get_absolute_url())
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Health partners at strategy meetings"
    )
    assert page.js_errors == []


def test_the_history_upload_works_without_javascript(browser, live_server, lead):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server, lead.username)
    page.goto(f"{live_server.url}/import/ofsted/")
    page.get_by_label("Upload the reports or letters").set_input_files(
        [REAL / name for name in DOCUMENTS[:2]]
    )
    page.get_by_role("button", name="Read the document").click()
    page.get_by_role("heading", name="Check the documents one by one").wait_for()
    page.get_by_role("link", name="Check the first document").click()
    page.get_by_text("Document 1 of 2", exact=False).wait_for()
    context.close()
