"""Running the plan in real Chromium: a lead adds, edits and cancels actions; an officer
updates one on a phone; a board member reads the history. axe-core checks every page."""

from __future__ import annotations

import datetime as dt

import pytest

from actions.models import Action, DueDateChange, ProgressUpdate, Status
from tests.conftest import AXE_JS, axe_violations, sign_in
from tests.factories import TODAY, AreaForImprovementFactory, PriorityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser):
    """A page the size of a phone (390 × 844)."""
    context = browser.new_context(
        viewport=PHONE, locale="en-GB", is_mobile=True, has_touch=True, device_scale_factor=2
    )
    context.set_default_timeout(10_000)
    context.add_init_script(path=str(AXE_JS))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    yield page
    context.close()


def checked(page) -> None:
    """axe-core finds nothing on the page."""
    page.wait_for_load_state()
    assert axe_violations(page) == [], page.url


def fits(page) -> None:
    """The page does not scroll sideways."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width} px wide"


def fill_date(page, legend: str, value: dt.date, *, nth: int = 0) -> None:
    group = page.get_by_role("group", name=legend).nth(nth)
    group.get_by_label("Day").fill(str(value.day))
    group.get_by_label("Month").fill(str(value.month))
    group.get_by_label("Year").fill(str(value.year))


def test_a_lead_adds_three_actions_for_an_area_edits_one_and_cancels_one(
    page, live_server, lead, officer, other_officer
):
    area = AreaForImprovementFactory(short_title="Management oversight and supervision")
    priority = PriorityFactory(number=1, title="Quality of practice")
    due = TODAY + dt.timedelta(days=60)

    sign_in(page, live_server, lead.username)
    page.goto(live_server.url + area.get_absolute_url())
    checked(page)
    assert page.get_by_text("No action in the plan answers this area").is_visible()
    page.get_by_role("link", name="Add several actions for this area").click()
    checked(page)
    assert page.get_by_label("Area for improvement they answer").input_value() == str(area.pk)
    assert page.get_by_label("Priority").input_value() == ""
    page.get_by_label("Priority").select_option(str(priority.pk))
    page.get_by_label("Accountable senior manager").select_option(str(lead.pk))
    titles = ["Audit supervision records", "Train team managers", "Re-audit in six months"]
    for number, title in enumerate(titles, start=1):
        page.get_by_label(f"Title of action {number}").fill(title)
        owner = officer if number != 2 else other_officer
        page.get_by_label(f"Lead officer (action {number})").select_option(str(owner.pk))
        fill_date(page, f"Due date (action {number})", due + dt.timedelta(days=number))
    page.get_by_role("button", name="Add these actions").click()
    page.get_by_text("3 actions added to the plan: 1.1, 1.2, 1.3.").wait_for()
    checked(page)
    assert Action.objects.filter(areas=area).count() == 3

    # Edit one: a new owner and a later due date, which needs a reason.
    page.get_by_role("link", name="1.2 Train team managers").click()
    checked(page)
    page.get_by_role("link", name="Change title, owner, dates or areas").click()
    checked(page)
    page.get_by_label("Title").fill("Train every team manager")
    page.get_by_label("Lead officer").select_option(str(officer.pk))
    later = due + dt.timedelta(days=30)
    fill_date(page, "Current due date", later)
    page.get_by_role("button", name="Save changes").click()
    page.get_by_text("Give a reason for changing the due date").first.wait_for()
    checked(page)
    page.get_by_label("Reason for changing the due date").fill("Training provider booked later")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_text("Action 1.2 changed.").wait_for()
    checked(page)
    edited = Action.objects.get(reference="1.2")
    assert (edited.title, edited.owner, edited.due_date) == (
        "Train every team manager",
        officer,
        later,
    )
    assert page.get_by_text("Training provider booked later").first.is_visible()

    # Cancel another, with a reason.
    page.goto(live_server.url + Action.objects.get(reference="1.3").get_absolute_url())
    page.get_by_role("link", name="Cancel this action").click()
    checked(page)
    page.get_by_label("Why is this action being cancelled?").fill("Covered by action 1.1")
    page.get_by_role("button", name="Cancel the action").click()
    page.get_by_text("Action 1.3 cancelled.").wait_for()
    checked(page)
    assert page.get_by_text("This action was cancelled. Reason: Covered by action 1.1").is_visible()
    assert Action.objects.get(reference="1.3").status == Status.CANCELLED
    assert page.js_errors == []


def test_an_officer_updates_an_action_on_a_phone(phone, live_server, officer, action):
    sign_in(phone, live_server, officer.username)
    assert phone.url.endswith("/actions/mine/")  # an officer lands on their own actions
    checked(phone)
    fits(phone)

    # A status straight from the list: the row's Save is on screen and works.
    select = phone.get_by_label(f"Status of action {action.reference}")
    select.select_option(Status.AT_RISK)
    save = phone.get_by_role("button", name=f"Save status of action {action.reference}")
    box = save.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    save.click()
    phone.get_by_text("Saved").wait_for()
    fits(phone)
    action.refresh_from_db()
    assert action.status == Status.AT_RISK

    # A fuller update on the action's page, saved in place: the page stays true.
    phone.get_by_role("link", name=action.title).click()
    checked(phone)
    fits(phone)
    phone.get_by_label("Percent complete").fill("55")
    later = action.due_date + dt.timedelta(days=21)
    fill_date(phone, "Current due date", later)
    phone.get_by_label("Reason for changing the due date").fill("Partner data arrives late")
    phone.get_by_label("Progress note").fill("Half the audits are done")
    with phone.expect_response(lambda r: "/update/" in r.url) as response:
        phone.get_by_role("button", name="Save update").click()
    assert response.value.request.headers.get("hx-request") == "true"
    phone.get_by_text(f"Action {action.reference} updated.").wait_for()
    due_changes = phone.locator("#due-date-changes")
    assert "Partner data arrives late" in due_changes.inner_text()
    assert "has not changed" not in due_changes.inner_text()
    assert "Half the audits are done" in phone.locator("#progress-updates").inner_text()
    checked(phone)
    fits(phone)
    assert DueDateChange.objects.filter(action=action).count() == 1
    assert ProgressUpdate.objects.filter(action=action).count() == 2  # the status, the note
    assert phone.js_errors == []


def test_a_board_member_reads_the_history_in_words(phone, live_server, board_member, lead, action):
    from actions.services import action_cancel, action_edit

    area = AreaForImprovementFactory(short_title="Quality of supervision")
    action_edit(
        user=lead,
        pk=action.pk,
        expected_version=action.version,
        title=action.title,
        description="",
        priority=action.priority,
        areas=[area],
        owner=action.owner,
        accountable=action.accountable,
        start_date=action.start_date,
        due_date=action.due_date,
    )
    action_cancel(
        user=lead, pk=action.pk, expected_version=action.version + 1, reason="Merged with 1.2"
    )

    sign_in(phone, live_server, board_member.username)
    for path in ("/", "/actions/", "/board/", "/board/challenges/", "/board-packs/"):
        phone.goto(live_server.url + path)
        checked(phone)
        fits(phone)
    phone.goto(live_server.url + action.get_absolute_url())
    checked(phone)
    fits(phone)
    history = phone.locator("section.app-history").inner_text()
    assert "Areas for improvement: added Quality of supervision" in history
    assert "Status: On track → Cancelled" in history
    assert "Note: Cancelled: Merged with 1.2" in history
    for internal in ("relationship", "Rag after", "Status before", "Size:", "evidence/"):
        assert internal not in history
    times = phone.locator("section.app-history time").all_inner_texts()
    assert times and all(":" in t and "a.m." not in t and "p.m." not in t for t in times)
