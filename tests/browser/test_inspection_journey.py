"""A lead corrects an imported inspection in a real browser, with axe on every page, and the
pages fit a 390 px phone."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from inspections.models import Grade, Inspection, JudgementArea
from tests.conftest import axe_violations, sign_in
from tests.factories import (
    AreaCoveredFactory,
    AreaForImprovementFactory,
    InspectionFactory,
    JudgementFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/improve-inspection-shots")


def shot(page, name):
    if SHOTS.parent.exists():
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def fits_the_screen(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def checked(page, name: str) -> None:
    """axe-clean, no script errors, no sideways scrolling."""
    shot(page, name)
    assert axe_violations(page) == []
    assert page.js_errors == []
    assert fits_the_screen(page), name


@pytest.fixture
def imported(settings, tmp_path):
    """A 2019 inspection, and the 2023 one and a 2020 monitoring visit as an import left
    them: a typo in an area, no short titles, a wrong grade, an unlinked area covered."""
    settings.MEDIA_ROOT = tmp_path / "media"
    earlier = InspectionFactory(start_date=dt.date(2019, 7, 15))
    oversight_2019 = AreaForImprovementFactory(
        inspection=earlier,
        order=1,
        text="Management oversight of practice.",
        short_title="Oversight 2019",
    )
    inspection = InspectionFactory(start_date=dt.date(2023, 7, 17))
    inspection.source_document.save("report.pdf", ContentFile(b"%PDF-1.4"), save=True)
    JudgementFactory(inspection=inspection, grade=Grade.GOOD)
    JudgementFactory(
        inspection=inspection,
        area=JudgementArea.objects.get(key="help-and-protection"),
        grade=Grade.GOOD,
    )
    area = AreaForImprovementFactory(
        inspection=inspection, order=1, text="The qualty of management oversight."
    )
    AreaForImprovementFactory(inspection=inspection, order=2, text="Care leavers' housing.")
    visit = InspectionFactory(
        kind=Inspection.Kind.MONITORING_VISIT, start_date=dt.date(2020, 10, 6)
    )
    covered = AreaCoveredFactory(
        inspection=visit, order=1, text="Management oversight", finding="Improving."
    )
    return {
        "inspection": inspection,
        "area": area,
        "visit": visit,
        "covered": covered,
        "earlier_area": oversight_2019,
    }


@pytest.mark.parametrize("width", [1280, 390])
def test_lead_corrects_an_imported_inspection(page, live_server, lead, imported, width):
    page.set_viewport_size({"width": width, "height": 900 if width > 400 else 844})
    inspection, area = imported["inspection"], imported["area"]
    sign_in(page, live_server, lead.username)
    page.goto(f"{live_server.url}{inspection.get_absolute_url()}")
    checked(page, f"{width}-detail")

    # Fix an area's text, give it a short title and say it continues the 2019 area.
    page.get_by_role("link", name="Edit areas for improvement").click()
    page.get_by_role("heading", name="Areas for improvement").wait_for()
    checked(page, f"{width}-areas")
    first = page.get_by_role("group", name="Area for improvement 1")
    first.get_by_label("What needs to improve").fill("The quality of management oversight.")
    first.get_by_label("Short title (optional)").fill("Management oversight")
    first.get_by_label("Continues an earlier area (optional)").select_option(
        label="1. Oversight 2019"
    )
    # Add a third area in place (htmx): what was typed stays.
    page.get_by_role("button", name="Add another area for improvement").click()
    new = page.get_by_role("group", name="New area for improvement")
    new.wait_for()
    assert first.get_by_label("Short title (optional)").input_value() == "Management oversight"
    checked(page, f"{width}-areas-added")
    new.get_by_label("What needs to improve").fill("Help for children at risk of exploitation.")
    page.get_by_role("button", name="Save areas for improvement").click()
    page.get_by_text("Areas for improvement saved.").wait_for()
    area.refresh_from_db()
    assert area.text == "The quality of management oversight."
    assert area.short_title == "Management oversight"
    assert area.continues == imported["earlier_area"]
    assert inspection.areas_for_improvement.count() == 3
    assert page.get_by_text("Continues").first.is_visible()

    # Change a judgement's grade.
    page.get_by_role("link", name="Edit judgements").click()
    checked(page, f"{width}-judgements")
    page.get_by_role("group", name="Judgement 2").get_by_label("Grade").select_option(
        label="Requires improvement to be good"
    )
    page.get_by_role("button", name="Save judgements").click()
    page.get_by_text("Judgements saved.").wait_for()
    grade = inspection.judgements.get(area__key="help-and-protection").grade
    assert grade == Grade.REQUIRES_IMPROVEMENT

    # Correct the letter date in day, month and year boxes; a wrong one is explained.
    page.get_by_role("link", name="Edit details").click()
    checked(page, f"{width}-details")
    letter = page.get_by_role("group", name="Date of the letter or report (optional)")
    letter.get_by_label("Month").fill("13")
    page.get_by_role("button", name="Save details").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    checked(page, f"{width}-details-error")
    letter = page.get_by_role("group", name="Date of the letter or report (optional)")
    letter.get_by_label("Day").fill("22")
    letter.get_by_label("Month").fill("9")
    letter.get_by_label("Year").fill("2023")
    page.get_by_role("button", name="Save details").click()
    page.get_by_text("Inspection details saved.").wait_for()
    inspection.refresh_from_db()
    assert inspection.published_date == dt.date(2023, 9, 22)

    # Link the monitoring visit's area covered to the 2019 area it revisits.
    page.goto(f"{live_server.url}{imported['visit'].get_absolute_url()}")
    page.get_by_role("link", name="Edit areas covered").click()
    checked(page, f"{width}-covered")
    page.get_by_role("group", name="Area covered 1").get_by_label(
        "Revisits an earlier area for improvement (optional)"
    ).select_option(label="1. Oversight 2019")
    page.get_by_role("button", name="Save areas covered by the visit").click()
    page.get_by_text("Areas covered by the visit saved.").wait_for()
    imported["covered"].refresh_from_db()
    assert imported["covered"].revisits == imported["earlier_area"]
    checked(page, f"{width}-visit")

    # The history on the page says who changed what.
    page.goto(f"{live_server.url}{inspection.get_absolute_url()}")
    checked(page, f"{width}-detail-after")

    # Removing the visit (nothing in the plan hangs on it) asks first.
    page.goto(f"{live_server.url}{imported['visit'].get_absolute_url()}")
    page.get_by_role("link", name="Remove").click()
    checked(page, f"{width}-remove")
    page.get_by_role("button", name="Remove inspection").click()
    page.get_by_text("removed.").wait_for()
    assert not Inspection.objects.filter(pk=imported["visit"].pk).exists()
    checked(page, f"{width}-list")


def test_lead_adds_an_inspection_by_hand_without_javascript(browser, live_server, lead, imported):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.js_errors = []
    sign_in(page, live_server, lead.username)
    page.goto(f"{live_server.url}/inspections/")
    page.get_by_role("link", name="Add an inspection or visit").click()
    page.get_by_label("Kind of inspection or visit").select_option(label="Focused visit")
    start = page.get_by_role("group", name="First day on site")
    start.get_by_label("Day").fill("3")
    start.get_by_label("Month").fill("2")
    start.get_by_label("Year").fill("2025")
    end = page.get_by_role("group", name="Last day on site")
    end.get_by_label("Day").fill("4")
    end.get_by_label("Month").fill("2")
    end.get_by_label("Year").fill("2025")
    page.get_by_role("button", name="Add inspection").click()
    page.get_by_role("heading", name="Focused visit, February 2025").wait_for()
    visit = Inspection.objects.get(start_date=dt.date(2025, 2, 3))

    # Without JavaScript "Add another" reloads the page with a blank row.
    page.get_by_role("link", name="Edit areas for improvement").click()
    page.get_by_role("group", name="New area for improvement").get_by_label(
        "What needs to improve"
    ).fill("Timeliness of strategy meetings.")
    page.get_by_role("button", name="Add another area for improvement").click()
    assert page.get_by_role("group", name="New area for improvement").count() == 2
    page.get_by_role("button", name="Save areas for improvement").click()
    page.get_by_text("Areas for improvement saved.").wait_for()
    assert list(visit.areas_for_improvement.values_list("text", flat=True)) == [
        "Timeliness of strategy meetings."
    ]
    assert fits_the_screen(page)
    context.close()


def test_board_pack_meeting_date_is_typed_as_day_month_year(page, live_server, lead):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, lead.username)
    page.goto(f"{live_server.url}/board-packs/")
    meeting = page.get_by_role("group", name="Meeting date (optional)")
    assert meeting.get_by_label("Day").is_visible()
    checked(page, "390-boardpacks")
    meeting.get_by_label("Day").fill("9")
    page.get_by_role("button", name="Generate now").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert page.get_by_role("link", name="Meeting date must include a month and year").is_visible()
    checked(page, "390-boardpacks-error")
