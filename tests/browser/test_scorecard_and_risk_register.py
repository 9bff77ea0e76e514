import pytest

from accounts.demo import DEMO_PASSWORD
from kpis.models import Indicator
from risks.models import Risk
from tests.conftest import axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_scorecard_indicator_register_heat_map_and_risk_pages_pass_axe(page, live_server, demo):
    sign_in(page, live_server, "lead", DEMO_PASSWORD)
    vacancy = Indicator.objects.get(code="sw-vacancy-rate")
    r1 = Risk.objects.get(reference="R1")
    pages = {
        "/indicators/": "Scorecard",
        vacancy.get_absolute_url(): "Social worker vacancy rate",
        "/risks/": "Risk register",
        "/risks/heat-map/": "Risk heat map",
        r1.get_absolute_url(): "Actions are not implemented in a timely manner",
    }
    for path, heading in pages.items():
        page.goto(f"{live_server.url}{path}")
        assert page.get_by_role("heading", level=1).inner_text() == heading
        assert axe_violations(page) == [], path

    # The chart is an image with a name, and the same numbers are in a table.
    page.goto(f"{live_server.url}{vacancy.get_absolute_url()}")
    chart = page.get_by_role("img", name="Social worker vacancy rate: values by period")
    assert chart.is_visible()
    table = page.get_by_role("table", name="Social worker vacancy rate: the numbers in the chart")
    assert "29.65%" in table.inner_text()

    # Filtering the register by a heat-map cell.
    page.goto(f"{live_server.url}/risks/heat-map/")
    page.get_by_role("link", name="2 risks rated B2").click()
    page.wait_for_load_state()
    assert page.get_by_text("Showing risks rated B2").is_visible()
    assert axe_violations(page) == []

    # A CSV with a bad row: the errors are listed, accessibly, and nothing is saved.
    page.goto(f"{live_server.url}/import/indicator-values/")
    page.get_by_label("Upload a CSV file").set_input_files(
        files=[
            {
                "name": "values.csv",
                "mimeType": "text/csv",
                "buffer": b"indicator,period_end,value\nsw-vacancy-rate,2023-13-01,30\n",
            }
        ]
    )
    page.get_by_role("button", name="Import values").click()
    page.wait_for_load_state()
    assert page.get_by_text("Row 2, period_end: '2023-13-01' is not a date.").first.is_visible()
    assert axe_violations(page) == []

    # The risk form.
    page.goto(f"{live_server.url}{r1.get_absolute_url()}edit/")
    assert axe_violations(page) == []
    assert page.js_errors == []
