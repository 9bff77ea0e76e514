import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kpis.models import Indicator, IndicatorValue
from tests.factories import ComparatorFactory, IndicatorFactory, IndicatorValueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def indicator(officer):
    indicator = IndicatorFactory(code="vacancy", name="Vacancy rate", owner=officer)
    england = ComparatorFactory(name="England")
    for year, own, national in [(2021, "21.5", "16.7"), (2022, "29.4", "20.0")]:
        end = dt.date(year, 9, 30)
        IndicatorValueFactory(indicator=indicator, period_end=end, value=Decimal(own))
        IndicatorValueFactory(
            indicator=indicator, comparator=england, period_end=end, value=Decimal(national)
        )
    return indicator


def value_url(indicator):
    return reverse("kpis:indicator_value_create", args=[indicator.pk])


def value_post(**overrides):
    data = {"comparator": "", "period_end": "2023-08-31", "period_label": "Aug 2023",
            "value": "29.65", "source": "Workforce report", "note": ""}  # fmt: skip
    return data | overrides


@pytest.mark.parametrize("name", ["kpis:indicator_list", "imports:indicator_import"])
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_board_member_reads_the_scorecard_and_indicator_but_cannot_change_them(
    as_user, board_member, indicator
):
    client = as_user(board_member)
    scorecard = client.get(reverse("kpis:indicator_list"))
    assert scorecard.status_code == 200
    assert b"Vacancy rate" in scorecard.content and b"Add an indicator" not in scorecard.content
    page = client.get(indicator.get_absolute_url())
    assert page.status_code == 200
    assert b"Add a value" not in page.content and b"Change this indicator" not in page.content
    for url in [
        value_url(indicator),
        reverse("imports:indicator_import"),
        reverse("kpis:indicator_create"),
        reverse("kpis:indicator_update", args=[indicator.pk]),
    ]:
        assert client.get(url).status_code == 403, url
        assert client.post(url, value_post()).status_code == 403, url
    assert IndicatorValue.objects.count() == 4


def test_indicator_page_has_chart_and_the_same_numbers_in_a_table(as_user, board_member, indicator):
    html = as_user(board_member).get(indicator.get_absolute_url()).content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img"' in html
    table = html[html.index("the numbers in the chart") :]
    table = table[: table.index("</table>")]
    for number in ["21.5%", "29.4%", "16.7%", "20.0%"]:
        assert number in table
    assert 'data-value="29.4"' in html and 'data-value="16.7"' in html


def test_owner_adds_a_value_in_a_form(as_user, officer, indicator):
    response = as_user(officer).post(value_url(indicator), value_post())
    assert response.status_code == 302
    added = IndicatorValue.objects.get(period_end=dt.date(2023, 8, 31))
    assert (added.value, added.period_label, added.entered_by) == (
        Decimal("29.65"),
        "Aug 2023",
        officer,
    )


def test_value_form_errors_are_shown_and_nothing_saved(as_user, officer, indicator):
    client = as_user(officer)
    duplicate = client.post(value_url(indicator), value_post(period_end="2022-09-30"))
    assert duplicate.status_code == 422
    assert "There is already a value for the council" in duplicate.content.decode()
    bad = client.post(value_url(indicator), value_post(value="lots", period_end="not a date"))
    assert bad.status_code == 422
    assert b"There is a problem" in bad.content
    assert IndicatorValue.objects.count() == 4


def test_other_officer_cannot_add_values(as_user, other_officer, indicator):
    assert as_user(other_officer).post(value_url(indicator), value_post()).status_code == 403
    assert IndicatorValue.objects.count() == 4


def test_owner_corrects_and_removes_a_value(as_user, officer, indicator):
    client = as_user(officer)
    item = indicator.values.get(comparator=None, period_end=dt.date(2022, 9, 30))
    url = reverse("kpis:indicator_value_update", args=[indicator.pk, item.pk])
    assert client.get(url).status_code == 200
    client.post(url, value_post(period_end="2022-09-30", value="29.5"))
    item.refresh_from_db()
    assert item.value == Decimal("29.5")
    delete = reverse("kpis:indicator_value_delete", args=[indicator.pk, item.pk])
    assert client.get(delete).status_code == 200
    assert client.post(delete).status_code == 302
    assert not IndicatorValue.objects.filter(pk=item.pk).exists()


def test_import_page_lists_row_errors_and_saves_nothing(as_user, officer, indicator):
    upload = SimpleUploadedFile(
        "values.csv",
        b"indicator,period_end,value\nvacancy,2023-08-31,29.65\nvacancy,31/02/2023,1\n"
        b"nope,2023-01-01,x\n",
        content_type="text/csv",
    )
    response = as_user(officer).post(reverse("imports:indicator_import"), {"file": upload})
    assert response.status_code == 422
    html = response.content.decode()
    assert "The file was not imported" in html
    assert "Row 3, period_end: &#x27;31/02/2023&#x27; is not a date" in html
    assert "Row 4, indicator: Unknown indicator &#x27;nope&#x27;" in html
    assert "Row 4, value: &#x27;x&#x27; is not a number." in html
    assert IndicatorValue.objects.count() == 4


def test_import_page_saves_a_good_file(as_user, officer, indicator):
    upload = SimpleUploadedFile(
        "values.csv",
        b"indicator,comparator,period_end,value\nvacancy,,2023-08-31,29.65\n"
        b"vacancy,England,2023-08-31,20.5\n",
    )
    response = as_user(officer).post(
        reverse("imports:indicator_import"), {"file": upload}, follow=True
    )
    assert "Imported 2 values (2 new, 0 replaced) for Vacancy rate." in response.content.decode()
    assert IndicatorValue.objects.count() == 6


def test_import_template_lists_every_indicator(as_user, officer, indicator):
    response = as_user(officer).get(reverse("imports:indicator_import_template"))
    lines = response.content.decode().splitlines()
    assert lines[0] == "indicator,period_end,value,comparator,period_start,period,source,note"
    assert lines[1].startswith("vacancy,")


def test_lead_sets_up_an_indicator(as_user, lead, officer):
    response = as_user(lead).post(
        reverse("kpis:indicator_create"),
        {
            "name": "Assessments completed in 45 days",
            "code": "assessments-45-days",
            "definition": "Percentage of assessments completed within 45 working days.",
            "unit": "percentage",
            "decimal_places": "1",
            "good_direction": "higher",
            "frequency": "monthly",
            "target": "85",
            "amber_tolerance": "5",
            "owner": officer.pk,
            "order": "1",
        },
    )
    assert response.status_code == 302
    created = Indicator.objects.get(code="assessments-45-days")
    assert (created.good_direction, created.target, created.owner) == ("higher", 85, officer)
    update = reverse("kpis:indicator_update", args=[created.pk])
    assert as_user(lead).get(update).status_code == 200


def test_scorecard_filters_by_rag(as_user, board_member, indicator):
    IndicatorFactory(name="Nothing yet")
    html = as_user(board_member).get(reverse("kpis:indicator_list") + "?rag=red").content
    assert b"Vacancy rate" in html and b"Nothing yet" not in html
