"""Stage 2: data to HTML. No database: the pack renders from its frozen data alone."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings

from boardpacks import rendering
from boardpacks.context import board_pack_context, meeting_date_for
from tests.boardpacks.conftest import MONTH
from tests.factories import TODAY, ActionFactory, load_demo

# Database tests run before transactional ones, which empty the tables when they finish.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def data(django_db_blocker, django_db_setup):

    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        gathered = board_pack_context(
            month=MONTH, meeting_date=meeting_date_for(MONTH), as_of=TODAY
        )
        transaction.set_rollback(True)
    return gathered


def headings(html: str) -> list[str]:
    found = re.findall(r"<h[1-4][^>]*>(.*?)</h[1-4]>", html, re.S)
    return [re.sub(r"<[^>]+>", "", h).strip() for h in found]


def test_pack_has_every_section_in_order(data):
    html = rendering.render_html(data)
    top = [h for h in headings(html) if re.match(r"\d+\. ", h)]
    assert top == [
        "1. Headline",
        "2. What changed since the last pack",
        "3. Progress by priority and by area for improvement",
        "4. Overdue and due before the next meeting",
        "5. Challenges from the board",
        "6. Performance indicators",
        "7. Risk register",
        "8. Appendix: the full action plan",
    ]
    for section in rendering.sections_for(data):
        assert f'href="#{section.anchor}"' in html  # in the contents
        assert f'id="{section.anchor}"' in html


def test_cover_says_council_board_month_meeting_version_and_marking(data):
    html = rendering.render_html(data)
    cover = html[html.index('class="pack-cover"') : html.index('class="pack-contents"')]
    for text in (
        "Medway Council",
        "Improvement Board pack",
        f"{MONTH:%B %Y}",
        "{d.day} {d:%B %Y}".format(d=dt.date.fromisoformat(data["meeting_date"])),
        "Version 1",
        "OFFICIAL",
    ):
        assert text in cover
    assert '<html lang="en-GB">' in html
    assert f"<title>Improvement Board pack, {MONTH:%B %Y}, version 1" in html


def test_no_heading_is_empty(data):
    """Under every heading there is something before the next heading of its level or
    higher (or the end of its section)."""
    html = rendering.render_html(data)
    found = list(re.finditer(r"<h([1-4])[^>]*>(.*?)</h\1>|</section>", html, re.S))
    for index, match in enumerate(found):
        if not match.group(1):
            continue
        level = int(match.group(1))
        end = next(
            (m.start() for m in found[index + 1 :] if not m.group(1) or int(m.group(1)) <= level),
            len(html),
        )
        body = re.sub(r"<[^>]+>|\s", "", html[match.end() : end])
        assert body, f"empty heading: {match.group(2)}"


def test_optional_sections_appear_only_with_data(data):
    bare = data | {"kpis": [], "risks": {}, "challenges": None}
    html = rendering.render_html(bare)
    assert "Performance indicators" not in html and "Risk register" not in html
    assert "Challenges from the board" not in html
    assert [s.key for s in rendering.sections_for(bare)] == [
        "headline",
        "changes",
        "progress",
        "overdue",
        "appendix",
    ]
    with_kpis = [s.key for s in rendering.sections_for(bare | {"kpis": [{"name": "Caseload"}]})]
    assert with_kpis == ["headline", "changes", "progress", "overdue", "kpis", "appendix"]
    # Every registered section has its template, so adding data is all a later change needs.
    for section in rendering.SECTIONS:
        if not section.optional:
            assert (Path(settings.BASE_DIR) / "templates" / section.template).exists()


def test_rendering_does_not_change_the_frozen_data(data):
    import copy

    before = copy.deepcopy(data)
    rendering.render_html(data)
    assert data == before


def test_charts_are_inline_svg_with_their_numbers(data):
    html = rendering.render_html(data)
    # The plan's two charts, then one per indicator and the risk heat maps.
    assert (
        html.count('role="img"')
        == 2 + len([i for i in data["kpis"]["indicators"] if i.get("periods")]) + 2
    )
    assert "Actions by RAG rating: the numbers" in html
    assert "RAG rating of actions by priority: the numbers" in html


def test_tables_repeat_headers_and_keep_rows_whole():
    css = (Path(settings.BASE_DIR) / "static" / "boardpacks" / "pack.css").read_text()
    assert re.search(r"thead\s*{\s*display:\s*table-header-group", css)
    assert re.search(r"tr\s*{\s*break-inside:\s*avoid", css)
    assert "@page" in css and "size: A4" in css and "counter(pages)" in css


def test_text_from_users_is_escaped():
    ActionFactory(title="<script>alert(1)</script> & co")
    data = board_pack_context(month=MONTH, meeting_date=meeting_date_for(MONTH), as_of=TODAY)
    html = rendering.render_html(data)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html


def test_preview_adds_navigation(data):
    html = rendering.render_html(data, preview={"back_url": "/b/", "download_url": "/d/"})
    assert 'href="/b/"' in html and 'href="/d/"' in html
    assert "pack-preview-bar" not in rendering.render_html(data)


def test_optional_sections_show_the_boards_challenges_indicators_and_risks(data):
    html = rendering.render_html(data)
    challenges = html[html.index('id="section-challenges"') : html.index('id="section-kpis"')]
    assert "raised" in challenges and "waiting for an answer" in challenges
    kpis = html[html.index('id="section-kpis"') : html.index('id="section-risks"')]
    assert "Social worker vacancy rate" in kpis and "<svg" in kpis
    risks = html[html.index('id="section-risks"') : html.index('id="section-appendix"')]
    assert "Actions are not implemented in a timely manner" in risks and "<svg" in risks
    # Inside the pack the sections take its numbered headings, not their own.
    assert "pack-kpis-heading" not in html and "pack-challenges-heading" not in html
