import datetime as dt
import json

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from risks.models import Risk
from risks.selectors import pack_section_context, risks_above_appetite
from tests.factories import ActionFactory, RiskFactory, UserFactory, numeric_5x5, rate, target

pytestmark = pytest.mark.django_db


@pytest.fixture
def risks(officer, other_officer):
    today = timezone.localdate()
    return {
        "R1": RiskFactory(reference="R1", title="Actions late", owner=officer, **rate("B2"),
                          review_date=today - dt.timedelta(days=3)),
        "R2": RiskFactory(reference="R2", title="Resource", owner=other_officer, **rate("C3")),
        "R3": RiskFactory(reference="R3", title="Caseloads", owner=officer, **rate("C2"),
                          **target("E3")),
    }  # fmt: skip


def edit_data(risk, **overrides):
    data = {
        "title": risk.title,
        "description": risk.description,
        "likelihood": risk.likelihood_id,
        "impact": risk.impact_id,
        "target_likelihood": risk.target_likelihood_id,
        "target_impact": risk.target_impact_id,
        "appetite": risk.appetite,
        "review_date": risk.review_date.isoformat(),
    }
    return data | overrides


def refs(response) -> list[str]:
    return [r.reference for r in response.context["page"]]


@pytest.mark.parametrize("name", ["risks:risk_list", "risks:risk_heat_map", "risks:matrix_detail"])
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_board_member_reads_everything_and_changes_nothing(as_user, board_member, risks):
    client = as_user(board_member)
    risk = risks["R1"]
    for url in [
        reverse("risks:risk_list"),
        reverse("risks:risk_heat_map"),
        reverse("risks:matrix_detail"),
        risk.get_absolute_url(),
    ]:
        assert client.get(url).status_code == 200, url
    assert b"Update this risk" not in client.get(risk.get_absolute_url()).content
    edit = reverse("risks:risk_update", args=[risk.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, edit_data(risk, title="Changed")).status_code == 403
    assert client.post(reverse("risks:risk_create"), edit_data(risk)).status_code == 403
    risk.refresh_from_db()
    assert risk.title == "Actions late"
    assert Risk.objects.count() == 3


def test_register_is_worst_first_and_filters(as_user, board_member, officer, risks):
    client = as_user(board_member)
    url = reverse("risks:risk_list")
    assert refs(client.get(url)) == ["R1", "R3", "R2"]  # red, then amber by score
    assert refs(client.get(url, {"colour": "red"})) == ["R1"]
    assert refs(client.get(url, {"colour": "amber"})) == ["R3", "R2"]
    assert refs(client.get(url, {"owner": officer.pk})) == ["R1", "R3"]
    assert refs(client.get(url, {"overdue": "on"})) == ["R1"]
    assert refs(client.get(url, {"above_appetite": "on"})) == ["R1"]
    b2 = rate("B2")
    cell = client.get(url, {"likelihood": b2["likelihood"].pk, "impact": b2["impact"].pk})
    assert refs(cell) == ["R1"] and b"Showing risks rated <strong>B2</strong>" in cell.content
    risks["R2"].status = "closed"
    risks["R2"].save()
    assert refs(client.get(url)) == ["R1", "R3"]
    assert refs(client.get(url, {"status": "all"})) == ["R1", "R3", "R2"]


def test_heat_map_page_counts_current_and_target_with_words(as_user, board_member, risks):
    html = as_user(board_member).get(reverse("risks:risk_heat_map")).content.decode()
    current = html[html.index('id="heat-map-current"') : html.index('id="heat-map-target"')]
    assert "B2, red" in current and "C2, amber" in current and "F4, green" in current
    b2 = current[current.index('data-rating="B2"') :]
    b2 = b2[: b2.index("</td>")]
    assert '1<span class="govuk-visually-hidden"> risk rated B2</span>' in b2
    target = html[html.index('id="heat-map-target"') :]
    e3 = target[target.index('data-rating="E3"') :]
    assert ">R3<" in e3[: e3.index("</td>")]


def test_risk_page_shows_history_and_mitigating_actions(as_user, board_member, risks):
    risk = risks["R1"]
    action = ActionFactory(title="Set up the Improvement Board")
    risk.actions.add(action)
    html = as_user(board_member).get(risk.get_absolute_url()).content.decode()
    assert "Set up the Improvement Board" in html
    assert "Rating history" in html and "B2 red" in html
    assert "Overdue" in html and "Above appetite" in html


def test_owner_rerates_a_risk_in_the_form(as_user, officer, risks):
    risk = risks["R3"]
    url = reverse("risks:risk_update", args=[risk.pk])
    client = as_user(officer)
    page = client.get(url)
    assert page.status_code == 200 and b'name="owner"' not in page.content
    b2 = rate("B2")
    missing_reason = client.post(
        url, edit_data(risk, likelihood=b2["likelihood"].pk, impact=b2["impact"].pk)
    )
    assert missing_reason.status_code == 422
    assert b"Say why the rating has changed." in missing_reason.content
    response = client.post(
        url,
        edit_data(risk, likelihood=b2["likelihood"].pk, impact=b2["impact"].pk,
                  rating_note="Referrals rose 30%"),
    )  # fmt: skip
    assert response.status_code == 302
    assert risk.ratings.first().note == "Referrals rose 30%"
    assert (
        as_user(officer).get(reverse("risks:risk_update", args=[risks["R2"].pk])).status_code == 403
    )


def test_lead_adds_a_risk_in_the_form(as_user, lead, officer):
    c2, d3 = rate("C2"), rate("D3")
    response = as_user(lead).post(
        reverse("risks:risk_create"),
        {
            "reference": "R7",
            "title": "Partners withdraw",
            "description": "Partners may step back.",
            "owner": officer.pk,
            "likelihood": c2["likelihood"].pk,
            "impact": c2["impact"].pk,
            "target_likelihood": d3["likelihood"].pk,
            "target_impact": d3["impact"].pk,
            "appetite": "amber",
            "review_date": "2027-01-31",
            "status": "open",
        },
    )
    assert response.status_code == 302
    assert Risk.objects.get(reference="R7").ratings.get().rating == "C2"


def test_dashboard_and_pack_includes_render_from_the_selectors(risks):
    html = render_to_string(
        "risks/includes/above_appetite.html", {"risks_above_appetite": risks_above_appetite()}
    )
    assert "R1 Actions late" in html and "Resource" not in html
    section = pack_section_context()
    assert json.loads(json.dumps(section)) == section
    assert [r["reference"] for r in section["above_appetite"]] == ["R1"]
    assert [r["reference"] for r in section["review_overdue"]] == ["R1"]
    html = render_to_string("risks/includes/pack_section.html", {"risk_section": section})
    assert html.count('role="img"') == 2 and 'data-rating="B2"' in html
    assert "<script" not in html and "style=" not in html


def test_pages_work_on_a_numeric_matrix(as_user, board_member):
    numeric_5x5()
    RiskFactory(reference="N1", **rate("4x5", "Numeric 5x5"), **target("2x2", "Numeric 5x5"))
    client = as_user(board_member)
    assert b"20 red" in client.get(reverse("risks:risk_list")).content
    assert b"20, red" in client.get(reverse("risks:risk_heat_map")).content
    matrix_page = client.get(reverse("risks:matrix_detail")).content
    assert b"Likelihood score times impact score" in matrix_page
    assert "5 – Almost certain" in matrix_page.decode()


def test_register_and_heat_map_queries_do_not_grow_with_the_number_of_risks(
    as_user, board_member, risks
):
    client = as_user(board_member)
    client.get(reverse("risks:risk_list"))  # warm the session and permission caches

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = {
        url: count(url) for url in (reverse("risks:risk_list"), reverse("risks:risk_heat_map"))
    }
    RiskFactory.create_batch(10, **rate("A1"))
    after = {url: count(url) for url in before}
    assert after == before


def test_administrator_configures_the_matrix_in_the_admin(as_user, risks):
    # The demo's administrator is a superuser; the admin site needs model permissions.
    client = as_user(UserFactory(username="super", role=Role.ADMINISTRATOR, is_staff=True,
                                 is_superuser=True))  # fmt: skip
    matrix = risks["R1"].matrix
    for url in [
        reverse("admin:risks_riskmatrix_change", args=[matrix.pk]),
        reverse("admin:risks_matrixcell_changelist")
        + f"?likelihood__matrix__id__exact={matrix.pk}",
        reverse("admin:risks_risk_change", args=[risks["R1"].pk]),
        reverse("admin:kpis_indicator_changelist"),
        reverse("admin:kpis_comparator_changelist"),
    ]:
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("risks:matrix_detail")).content.decode()
    assert "Change the colours" in page
