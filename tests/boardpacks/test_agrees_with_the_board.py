"""The pack agrees with the Board's calendar, wastes no pages, keeps single-value charts
small, writes dates one way and marks old indicator values."""

import datetime as dt
import re

import pytest

from boardpacks import pdf, rendering
from boardpacks.context import (
    board_pack_context,
    meeting_date_for,
    next_month,
    usual_meeting_day,
)
from boardpacks.forms import BoardPackRequestForm
from kpis import charts
from kpis.selectors import indicator_data, pack_section_context
from tests.boardpacks.conftest import MONTH
from tests.factories import TODAY, IndicatorFactory, IndicatorValueFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def _a_weekday_that_is_not_the_usual_day(month: dt.date) -> dt.date:
    usual = usual_meeting_day(month)
    day = month.replace(day=3)
    while day.weekday() >= 5 or day == usual:
        day += dt.timedelta(days=1)
    return day


def test_the_meeting_date_comes_from_the_boards_calendar():
    assert meeting_date_for(MONTH) == usual_meeting_day(MONTH)
    recorded = _a_weekday_that_is_not_the_usual_day(MONTH)
    MeetingFactory(date=recorded)
    assert meeting_date_for(MONTH) == recorded


def test_the_next_meeting_comes_from_the_boards_calendar():
    following = next_month(MONTH)
    this, after = (_a_weekday_that_is_not_the_usual_day(m) for m in (MONTH, following))
    MeetingFactory(date=this)
    data = board_pack_context(month=MONTH, meeting_date=this, as_of=TODAY)
    assert data["next_meeting_date"] == usual_meeting_day(following).isoformat()
    MeetingFactory(date=after)
    data = board_pack_context(month=MONTH, meeting_date=this, as_of=TODAY)
    assert data["meeting_date"] == this.isoformat()
    assert data["next_meeting_date"] == after.isoformat()


def test_a_meeting_months_away_is_not_taken_for_the_next_one():
    later = next_month(next_month(next_month(MONTH))).replace(day=10)
    MeetingFactory(date=later)
    data = board_pack_context(month=MONTH, meeting_date=meeting_date_for(MONTH), as_of=TODAY)
    assert data["next_meeting_date"] == usual_meeting_day(next_month(MONTH)).isoformat()


def _request_form(data):
    return BoardPackRequestForm(data, today=TODAY, initial_month=MONTH)


def test_a_lead_types_the_meeting_date_as_day_month_year():
    day = MONTH.replace(day=9)
    form = _request_form(
        {
            "month": f"{MONTH:%Y-%m}",
            "meeting_date_0": str(day.day),
            "meeting_date_1": str(day.month),
            "meeting_date_2": str(day.year),
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["meeting_date"] == day


def test_an_empty_meeting_date_takes_the_boards_calendar():
    recorded = _a_weekday_that_is_not_the_usual_day(MONTH)
    MeetingFactory(date=recorded)
    form = _request_form({"month": f"{MONTH:%Y-%m}"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["meeting_date"] == recorded


def test_a_half_typed_meeting_date_says_what_is_missing():
    form = _request_form({"month": f"{MONTH:%Y-%m}", "meeting_date_0": "9"})
    assert not form.is_valid()
    assert form.errors["meeting_date"] == ["Meeting date must include a month and year"]


def test_short_sections_share_a_page():
    html = (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>t</title>'
        '<link rel="stylesheet" href="/static/boardpacks/pack.css"></head><body>'
        + "".join(
            f'<section class="pack-section"><h2>{n}. Section</h2><p>Two lines.</p></section>'
            for n in range(1, 5)
        )
        + "</body></html>"
    )
    assert pdf.html_to_pdf(html, variant=None).page_count == 1


def test_a_chart_with_a_single_value_is_small():
    one = IndicatorValueFactory().indicator
    many = IndicatorFactory()
    for year in (2021, 2022, 2023):
        IndicatorValueFactory(indicator=many, period_end=dt.date(year, 3, 31))
    small = str(charts.indicator_chart(indicator_data(one)))
    large = str(charts.indicator_chart(indicator_data(many)))
    assert f'width="{charts.SINGLE_VALUE_WIDTH}"' in small
    assert 'width="640"' in large


def test_values_more_than_a_year_old_are_marked_old():
    stale = IndicatorValueFactory(period_end=TODAY - dt.timedelta(days=400), period_label="Old")
    fresh = IndicatorValueFactory(period_end=TODAY - dt.timedelta(days=30), period_label="New")
    section = pack_section_context(on=TODAY)
    by_id = {item["id"]: item for item in section["indicators"]}
    assert by_id[stale.indicator_id]["latest"]["is_old"] is True
    assert by_id[stale.indicator_id]["latest_is_old"] is True
    assert by_id[fresh.indicator_id]["latest"]["is_old"] is False


ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
SHORT_DAY = re.compile(r"\b\d{1,2} (Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b")
WEEKDAY = re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")


def test_the_demo_pack_writes_every_date_one_way(demo):
    stale = IndicatorValueFactory(period_end=TODAY - dt.timedelta(days=400))
    month = TODAY.replace(day=1)
    data = board_pack_context(month=month, meeting_date=meeting_date_for(month), as_of=TODAY)
    html = rendering.render_html(data)
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<(style|script|svg)\b.*?</\1>", " ", html, flags=re.S))
    assert re.search(r"\b\d{1,2} [A-Z][a-z]+ \d{4}\b", text)  # "8 December 2026"
    assert ISO_DATE.findall(text) == []
    assert SHORT_DAY.findall(text) == []
    assert WEEKDAY.findall(text) == []
    assert "Old figure" in html and stale.indicator.name in html
