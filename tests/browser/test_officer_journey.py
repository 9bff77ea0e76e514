import pytest

from actions.models import Status
from tests.conftest import axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_updates_an_action_in_place_and_it_persists(page, live_server, officer, action):
    sign_in(page, live_server, officer.username)
    page.goto(f"{live_server.url}{action.get_absolute_url()}")
    assert axe_violations(page) == []

    page.get_by_label("At risk").check()
    page.get_by_label("Percent complete").fill("45")
    page.get_by_label("Progress note").fill("Partner data is late")
    with page.expect_response(lambda r: "/update/" in r.url) as response:
        page.get_by_role("button", name="Save update").click()
    assert response.value.status == 200
    assert response.value.request.headers.get("hx-request") == "true"
    page.get_by_text(f"Action {action.reference} updated.").wait_for()
    assert axe_violations(page) == []

    page.reload()
    assert page.get_by_text("45%").first.is_visible()
    action.refresh_from_db()
    assert action.status == Status.AT_RISK
    assert action.updates.get().note == "Partner data is late"
    assert page.js_errors == []
