import re
import time
from pathlib import Path

import pytest

from boardpacks import rendering
from boardpacks.models import BoardPack
from tests.boardpacks.conftest import celery_worker_live  # noqa: F401 - a fixture
from tests.conftest import axe_violations, sign_in
from tests.factories import TODAY, ActionFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("celery_worker_live"),
]


def test_lead_generates_a_pack_and_watches_it_become_ready(
    page, live_server, lead, board_member, monkeypatch
):
    ActionFactory(title="Refresh practice standards")
    real_render = rendering.render_html

    def slow_render(data, **kwargs):
        time.sleep(2.5)  # long enough to see the page poll
        return real_render(data, **kwargs)

    monkeypatch.setattr(rendering, "render_html", slow_render)
    polls = []
    page.on(
        "request",
        lambda request: (
            polls.append(request.url) if request.headers.get("hx-request") == "true" else None
        ),
    )

    sign_in(page, live_server, lead.username)
    page.get_by_role("link", name="Board packs").click()
    page.get_by_role("heading", name="Board packs").wait_for()
    assert axe_violations(page) == []

    page.get_by_label("Month of the board meeting").select_option(label=f"{TODAY:%B %Y}")
    page.get_by_label("Email it to every board member as soon as it is ready").check()
    page.get_by_role("button", name="Generate now").click()
    page.get_by_role("heading", name=f"{TODAY:%B %Y}, version 1").wait_for()
    assert page.get_by_text("This panel updates itself every two seconds.").is_visible()
    assert axe_violations(page) == []
    url = page.url

    page.get_by_role("link", name="Download the PDF").wait_for(timeout=45_000)
    assert page.url == url  # no reload: htmx swapped the panel in
    assert polls and all(p.endswith(BoardPack.objects.get().get_absolute_url()) for p in polls)
    pack = BoardPack.objects.get()
    assert pack.status == BoardPack.Status.READY
    page.get_by_role("cell", name=re.compile(r"^Sent, ")).wait_for(timeout=20_000)  # the email
    assert axe_violations(page) == []

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    assert download.value.suggested_filename == pack.filename
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"

    page.get_by_role("link", name="Read the HTML version").click()
    page.get_by_role("heading", name="1. Headline").wait_for()
    assert page.get_by_text("Refresh practice standards").first.is_visible()
    assert axe_violations(page) == []
    assert page.js_errors == []
