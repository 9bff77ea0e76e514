"""Journeys people take, in real Chromium, each page checked with axe-core (WCAG 2.2 AA)."""

import pytest

from accounts.demo import DEMO_PASSWORD
from actions.models import Action, Status
from inspections.models import AreaForImprovement
from tests.conftest import axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_page_a_board_member_reads_has_no_axe_violations_and_no_edit_controls(
    page, live_server, demo
):
    page.goto(f"{live_server.url}/accounts/login/")
    assert axe_violations(page) == []
    sign_in(page, live_server, "chair", DEMO_PASSWORD)
    action = Action.objects.get(reference="1.4")
    area = AreaForImprovement.objects.get(inspection__start_date="2023-07-17", order=4)
    paths = [
        "/",
        "/actions/",
        "/actions/?status=at_risk&sort=due_date",
        "/actions/mine/",
        action.get_absolute_url(),
        "/inspections/",
        area.inspection.get_absolute_url(),
        area.get_absolute_url(),
        "/actions/999999/",
    ]
    for path in paths:
        page.goto(live_server.url + path)
        assert axe_violations(page) == [], path
        assert page.locator("form[method=post] button", has_text="Save").count() == 0, path
    assert page.js_errors == []


def test_lead_follows_an_area_for_improvement_through_its_golden_thread(page, live_server, demo):
    sign_in(page, live_server, "lead", DEMO_PASSWORD)
    page.get_by_role("link", name="Inspections").click()
    page.get_by_role("link", name="ILACS standard inspection").first.click()
    assert page.get_by_role("heading", name="ILACS standard inspection, July 2023").is_visible()
    page.get_by_role("link", name="The quality and consistency of management oversight.").click()
    assert page.get_by_text("carried forward", exact=False).first.is_visible()
    assert page.get_by_text("looked at again by the").is_visible()
    page.get_by_role("link", name="3.3 Quarterly thematic audit of management oversight").click()
    assert page.get_by_role("heading", name="Quarterly thematic audit of management oversight")
    assert axe_violations(page) == []
    # Back up the thread to where it started in 2019.
    page.go_back()
    page.get_by_role(
        "link", name="The quality and effectiveness of management oversight and supervision"
    ).click()
    assert page.get_by_text("July 2019: named by the ILACS standard inspection").is_visible()
    assert page.get_by_text("carried forward by the ILACS standard inspection").is_visible()


def test_officer_changes_status_from_a_list_row_without_a_reload(page, live_server, demo):
    sign_in(page, live_server, "officer", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/actions/mine/")
    action = Action.objects.get(reference="1.4")
    row = page.locator(f"#action-row-{action.pk}")
    page.evaluate("window.__marker = 'still here'")
    row.get_by_label(f"Status of action {action.reference}").select_option(Status.AT_RISK)
    row.get_by_role("button", name="Save").click()
    page.locator(f"#action-row-{action.pk}").get_by_text("Saved").wait_for()
    assert page.evaluate("window.__marker") == "still here"  # no full page load
    assert page.locator(f"#action-row-{action.pk}").get_by_text("Amber").is_visible()
    action.refresh_from_db()
    assert action.status == Status.AT_RISK
    assert axe_violations(page) == []


def test_keyboard_only_officer_updates_an_action(page, live_server, demo):
    page.goto(f"{live_server.url}/accounts/login/")
    page.keyboard.press("Tab")  # skip link first
    focused = page.evaluate("document.activeElement.outerHTML")
    assert "Skip to main content" in focused, focused
    page.keyboard.press("Enter")
    page.get_by_label("Username").focus()
    page.keyboard.type("officer")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # An officer starts on their own actions (issue 14), not on the judgement history.
    assert page.locator("h1").inner_text() == "My actions", page.content()[-3000:]

    action = Action.objects.get(reference="1.4")
    page.goto(live_server.url + action.get_absolute_url())
    page.get_by_label("Progress note").focus()
    page.keyboard.type("Typed without a mouse")
    # Tab onwards to the submit button and press it.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Save update":
            break
    assert page.evaluate("document.activeElement.textContent.trim()") == "Save update"
    page.keyboard.press("Enter")
    page.get_by_text(f"Action {action.reference} updated.").wait_for()
    assert action.updates.filter(note="Typed without a mouse").exists()


def test_forms_work_with_javascript_off(browser, live_server, demo):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server, "officer", DEMO_PASSWORD)
    action = Action.objects.get(reference="1.4")
    page.goto(live_server.url + action.get_absolute_url())
    page.get_by_label("Off track").check()
    page.get_by_label("Progress note").fill("Posted the old-fashioned way")
    page.get_by_role("button", name="Save update").click()
    page.get_by_text(f"Action {action.reference} updated.").wait_for()
    action.refresh_from_db()
    assert action.status == Status.OFF_TRACK
    context.close()
