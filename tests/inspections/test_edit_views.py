"""A lead records and corrects inspections in the browser (pages; the rules themselves are
in test_services.py)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inspections.models import AreaCovered, AreaForImprovement, Inspection, Strength
from tests.factories import (
    TODAY,
    ActionFactory,
    AreaCoveredFactory,
    AreaForImprovementFactory,
    InspectionFactory,
    JudgementFactory,
    LocalAuthorityFactory,
    StrengthFactory,
)

pytestmark = pytest.mark.django_db


def _date(name: str, day: dt.date) -> dict:
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


def _rows_url(inspection, section: str) -> str:
    return reverse("inspections:inspection_rows_update", args=[inspection.pk, section])


def _areas_post(inspection, rows: list[dict], *, initial: int) -> dict:
    data = {"areas-TOTAL_FORMS": len(rows), "areas-INITIAL_FORMS": initial}
    for i, row in enumerate(rows):
        data |= {f"areas-{i}-{key}": value for key, value in row.items()}
    return data


def test_lead_adds_an_inspection_typing_dates_as_day_month_year(as_user, lead):
    medway = LocalAuthorityFactory()
    start = TODAY - dt.timedelta(days=30)
    response = as_user(lead).post(
        reverse("inspections:inspection_create"),
        {
            "local_authority": medway.pk,
            "kind": Inspection.Kind.FOCUSED_VISIT,
            "title": "Children in need",
            **_date("start_date", start),
            **_date("end_date", start + dt.timedelta(days=1)),
            "inspectors": "Jo Smith\nSam Lee\n",
            "framework": "ILACS",
        },
    )
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response.url == inspection.get_absolute_url()
    assert inspection.start_date == start
    assert inspection.published_date is None
    assert inspection.inspectors == ["Jo Smith", "Sam Lee"]


def test_an_incomplete_or_impossible_date_is_shown_in_the_govuk_pattern(as_user, lead):
    LocalAuthorityFactory()
    response = as_user(lead).post(
        reverse("inspections:inspection_create"),
        {
            "kind": Inspection.Kind.FOCUSED_VISIT,
            "start_date_0": "31",
            "start_date_1": "2",
            "start_date_2": str(TODAY.year),
            "end_date_0": "3",
            "end_date_2": str(TODAY.year),
        },
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "First day on site must be a real date" in body
    assert "Last day on site must include a month" in body
    assert 'href="#id_start_date_0"' in body
    assert 'class="govuk-date-input"' in body and "govuk-input--error" in body
    assert not Inspection.objects.exists()


def test_the_edit_form_shows_the_saved_dates_in_day_month_year_boxes(as_user, lead):
    inspection = InspectionFactory(start_date=dt.date(2023, 7, 17))
    body = as_user(lead).get(reverse("inspections:inspection_update", args=[inspection.pk]))
    body = body.content.decode()
    assert 'name="start_date_0" type="text" inputmode="numeric" value="17"' in body
    assert 'name="start_date_2" type="text" inputmode="numeric" value="2023"' in body


def test_lead_corrects_an_areas_text_and_short_title(as_user, lead):
    area = AreaForImprovementFactory(text="Teh oversight", order=1)
    url = _rows_url(area.inspection, "areas-for-improvement")
    response = as_user(lead).post(
        url,
        _areas_post(
            area.inspection,
            [{"id": area.pk, "order": 1, "text": "The oversight", "short_title": "Oversight"}],
            initial=1,
        ),
    )
    assert response.status_code == 302
    assert response.url.endswith("#areas-for-improvement")
    area.refresh_from_db()
    assert (area.text, area.short_title) == ("The oversight", "Oversight")


def test_a_blank_new_row_is_ignored_and_a_removed_one_goes(as_user, lead):
    inspection = InspectionFactory()
    gone = StrengthFactory(inspection=inspection, text="Gone", order=1)
    data = {
        "strengths-TOTAL_FORMS": 2,
        "strengths-INITIAL_FORMS": 1,
        "strengths-0-id": gone.pk,
        "strengths-0-order": 1,
        "strengths-0-text": "Gone",
        "strengths-0-DELETE": "on",
        "strengths-1-text": "",
    }
    response = as_user(lead).post(_rows_url(inspection, "strengths"), data)
    assert response.status_code == 302
    assert not Strength.objects.exists()


def test_a_service_refusal_is_shown_in_the_error_summary(as_user, lead):
    area = AreaForImprovementFactory(short_title="Supervision", order=1)
    ActionFactory(areas=[area])
    data = _areas_post(
        area.inspection,
        [{"id": area.pk, "order": 1, "text": area.text, "DELETE": "on"}],
        initial=1,
    )
    response = as_user(lead).post(_rows_url(area.inspection, "areas-for-improvement"), data)
    assert response.status_code == 422
    assert "Supervision: actions in the plan answer it" in response.content.decode()
    assert AreaForImprovement.objects.filter(pk=area.pk).exists()


def test_add_another_row_without_javascript_keeps_what_was_typed(as_user, lead):
    area = AreaForImprovementFactory(order=1)
    data = _areas_post(
        area.inspection, [{"id": area.pk, "order": 1, "text": "Typed but not saved"}], initial=1
    ) | {"add_row": "1"}
    response = as_user(lead).post(_rows_url(area.inspection, "areas-for-improvement"), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" in body
    assert "Typed but not saved" in body
    assert 'name="areas-TOTAL_FORMS" value="2"' in body
    assert "New area for improvement" in body
    area.refresh_from_db()
    assert area.text != "Typed but not saved"


def test_add_another_row_with_htmx_answers_the_list_only(as_user, lead):
    area = AreaForImprovementFactory(order=1)
    data = _areas_post(area.inspection, [{"id": area.pk, "order": 1, "text": "x"}], initial=1)
    response = as_user(lead).post(
        _rows_url(area.inspection, "areas-for-improvement"),
        data | {"add_row": "1"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and body.lstrip().startswith('<div id="row-list">')
    assert body.count("<fieldset") == 2


def test_an_area_covered_offers_only_earlier_areas_to_revisit(as_user, lead):
    earlier = AreaForImprovementFactory(
        inspection=InspectionFactory(start_date=dt.date(2019, 7, 15)), short_title="Earlier"
    )
    visit = InspectionFactory(
        kind=Inspection.Kind.MONITORING_VISIT, start_date=dt.date(2020, 10, 6)
    )
    later = AreaForImprovementFactory(
        inspection=InspectionFactory(start_date=dt.date(2023, 7, 17)), short_title="Later"
    )
    AreaCoveredFactory(inspection=visit, text="Oversight", order=1)
    body = as_user(lead).get(_rows_url(visit, "areas-covered")).content.decode()
    assert f'<option value="{earlier.pk}">' in body
    assert f'<option value="{later.pk}">' not in body


def test_an_unknown_section_is_missing(as_user, lead):
    inspection = InspectionFactory()
    assert as_user(lead).get(_rows_url(inspection, "nonsense")).status_code == 404


def test_remove_asks_first_then_removes(as_user, lead):
    inspection = InspectionFactory()
    JudgementFactory(inspection=inspection)
    url = reverse("inspections:inspection_delete", args=[inspection.pk])
    client = as_user(lead)
    body = client.get(url).content.decode()
    assert "1 judgement" in body and "Remove inspection" in body
    response = client.post(url)
    assert response.status_code == 302
    assert not Inspection.objects.exists()


def test_remove_is_refused_while_actions_answer_its_areas(as_user, lead):
    area = AreaForImprovementFactory()
    ActionFactory(areas=[area])
    url = reverse("inspections:inspection_delete", args=[area.inspection_id])
    client = as_user(lead)
    body = client.get(url).content.decode()
    assert "You cannot remove it" in body and "Remove inspection" not in body
    response = client.post(url)
    assert response.status_code == 422
    assert Inspection.objects.filter(pk=area.inspection_id).exists()


def test_readers_see_no_edit_links(as_user, board_member, lead):
    inspection = InspectionFactory()
    edit = reverse("inspections:inspection_update", args=[inspection.pk])
    assert edit not in as_user(board_member).get(inspection.get_absolute_url()).content.decode()
    assert edit in as_user(lead).get(inspection.get_absolute_url()).content.decode()


# --- Query counts stay flat with the size of the record ------------------------------------


def _grow(inspection: Inspection, earlier: Inspection, n: int) -> None:
    AreaForImprovement.objects.bulk_create(
        AreaForImprovement(inspection=target, text=f"Area {i}", order=i)
        for target in (inspection, earlier)
        for i in range(target.areas_for_improvement.count() + 1, n + 1)
    )
    AreaCovered.objects.bulk_create(
        AreaCovered(inspection=inspection, text=f"Covered {i}", order=i)
        for i in range(inspection.areas_covered.count() + 1, n + 1)
    )
    Strength.objects.bulk_create(
        Strength(inspection=inspection, text=f"Strength {i}", order=i)
        for i in range(inspection.strengths.count() + 1, n + 1)
    )


def test_edit_pages_query_counts_do_not_grow_with_the_record(as_user, lead, settings):
    settings.SESSION_REFRESH_SECONDS = 10**10
    earlier = InspectionFactory(start_date=dt.date(2019, 7, 15))
    inspection = InspectionFactory(start_date=dt.date(2023, 7, 17))
    JudgementFactory(inspection=inspection)
    client = as_user(lead)
    urls = [
        reverse("inspections:inspection_create"),
        reverse("inspections:inspection_update", args=[inspection.pk]),
        reverse("inspections:inspection_delete", args=[inspection.pk]),
        *(
            _rows_url(inspection, section)
            for section in ("judgements", "areas-for-improvement", "strengths", "areas-covered")
        ),
    ]
    for url in urls:  # the first request of a session does its own sign-in bookkeeping
        client.get(url)
    counts = []
    for size in (2, 40):
        _grow(inspection, earlier, size)
        sizes = {}
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            sizes[url] = len(ctx.captured_queries)
        counts.append(sizes)
    assert counts[0] == counts[1]
