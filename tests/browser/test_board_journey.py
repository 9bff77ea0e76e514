"""The board's journeys in real Chromium, each page checked with axe-core (WCAG 2.2 AA)."""

import pytest

from accounts.demo import DEMO_PASSWORD
from board.models import Challenge, Decision, Meeting
from inspections.models import AreaForImprovement
from tests.conftest import AXE_JS, axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def second_page(browser):
    """A second person in their own browser session."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    context.add_init_script(path=str(AXE_JS))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    yield page
    context.close()


def no_violations(page):
    assert axe_violations(page) == [], page.url


def test_member_raises_a_challenge_officer_answers_member_accepts_and_the_pack_shows_it(
    page, second_page, live_server, board_member, officer, action
):
    # The board member raises a challenge from the action's page, without a reload.
    sign_in(page, live_server, board_member.username)
    page.goto(live_server.url + action.get_absolute_url())
    no_violations(page)
    page.evaluate("window.__marker = 'still here'")
    page.get_by_label("Your challenge or question").fill("Why is this still at 20%?")
    with page.expect_response(lambda r: "/challenges/raise/" in r.url) as response:
        page.get_by_role("button", name="Raise challenge").click()
    assert response.value.status == 200
    assert response.value.request.headers.get("hx-request") == "true"
    page.get_by_text(f"Your challenge has been sent to {officer.display_name}.").wait_for()
    assert page.evaluate("window.__marker") == "still here"
    no_violations(page)
    challenge = Challenge.objects.get()
    assert challenge.assigned_to == officer

    # The officer finds it on "My actions" and answers it on its page.
    sign_in(second_page, live_server, officer.username)
    second_page.goto(live_server.url + "/actions/mine/")
    no_violations(second_page)
    second_page.get_by_role("link", name="Why is this still at 20%?").click()
    second_page.wait_for_load_state()
    no_violations(second_page)
    second_page.evaluate("window.__marker = 'still here'")
    second_page.get_by_label("Your answer").fill("Partner data arrives next week.")
    second_page.get_by_role("button", name="Send answer").click()
    second_page.get_by_text(f"Your answer has been sent to {board_member.display_name}.").wait_for()
    assert second_page.evaluate("window.__marker") == "still here"
    no_violations(second_page)
    challenge.refresh_from_db()
    assert challenge.state == Challenge.State.ANSWERED

    # The member sees the answer on the action page and accepts it.
    page.reload()
    page.get_by_text("Partner data arrives next week.").wait_for()
    no_violations(page)
    page.evaluate("window.__marker = 'still here'")
    page.get_by_label("Your reply").fill("Thank you, that answers it.")
    page.get_by_role("button", name="Accept the answer").click()
    page.get_by_text("You accepted the answer. The challenge is closed.").wait_for()
    assert page.evaluate("window.__marker") == "still here"  # still no reload
    no_violations(page)
    challenge.refresh_from_db()
    assert (challenge.state, challenge.outcome) == (
        Challenge.State.ACCEPTED,
        "Thank you, that answers it.",
    )

    # The next board pack shows it, closed, with the accepted answer.
    page.goto(live_server.url + "/board/challenges/pack/")
    no_violations(page)
    closed = page.get_by_role("table", name="Closed in this period")
    assert closed.get_by_text("Why is this still at 20%?").is_visible()
    assert closed.get_by_text("Partner data arrives next week.").is_visible()
    assert page.js_errors == [] and second_page.js_errors == []


def test_member_presses_further_and_officer_answers_again(
    page, second_page, live_server, board_member, officer, action
):
    from board import services

    challenge = services.challenge_raise(user=board_member, target=action, question="When?")
    services.challenge_answer(user=officer, pk=challenge.pk, text="Soon.")
    sign_in(page, live_server, board_member.username)
    page.goto(live_server.url + challenge.get_absolute_url())
    page.get_by_label("Your reply").fill("Soon is not a date.")
    page.get_by_role("button", name="Press further").click()
    page.get_by_text("has been asked to answer again").wait_for()
    no_violations(page)
    sign_in(second_page, live_server, officer.username)
    second_page.goto(live_server.url + action.get_absolute_url())
    second_page.get_by_label("Your answer").fill("The 14th of next month.")
    second_page.get_by_role("button", name="Send answer").click()
    second_page.get_by_text("Your answer has been sent").wait_for()
    challenge.refresh_from_db()
    assert challenge.state == Challenge.State.ANSWERED
    assert list(challenge.messages.values_list("kind", flat=True)) == ["answer", "press", "answer"]


def test_board_pages_have_no_axe_violations_for_members_and_leads(page, live_server, demo):
    meeting = Meeting.objects.filter(decisions__resulting_action__isnull=False).get()
    decision = Decision.objects.filter(resulting_action__isnull=True).first()
    challenge = Challenge.objects.filter(state="pressed").first()
    area = AreaForImprovement.objects.filter(challenges__isnull=False).first()
    sign_in(page, live_server, "chair", DEMO_PASSWORD)
    for path in [
        "/",
        "/actions/mine/",
        "/board/",
        meeting.get_absolute_url(),
        "/board/challenges/",
        "/board/challenges/?show=closed&mine=1",
        challenge.get_absolute_url(),
        "/board/challenges/pack/",
        area.get_absolute_url(),
    ]:
        page.goto(live_server.url + path)
        no_violations(page)
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, "lead", DEMO_PASSWORD)
    for path in [
        meeting.get_absolute_url(),
        f"/board/meetings/{meeting.pk}/edit/",
        f"/board/meetings/{meeting.pk}/items/new/",
        f"/board/meetings/{meeting.pk}/decisions/new/",
        f"/board/decisions/{decision.pk}/make-action/",
        challenge.get_absolute_url(),
    ]:
        page.goto(live_server.url + path)
        no_violations(page)
    # An error page too: the form sent empty.
    page.goto(live_server.url + f"/board/meetings/{meeting.pk}/items/new/")
    page.get_by_label("Title").fill("")
    page.get_by_role("button", name="Save agenda item").click()
    page.get_by_text("There is a problem").wait_for()
    no_violations(page)
    assert page.js_errors == []
