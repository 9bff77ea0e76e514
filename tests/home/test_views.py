"""The dashboard (home app): moved here from tests/actions/test_views.py with the view."""

import pytest
from django.urls import reverse

from tests.factories import ActionFactory

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_dashboard_shows_plan_health_and_warns_of_areas_with_no_live_action(as_user, board_member):
    import datetime as dt

    from tests.factories import TODAY, AreaForImprovementFactory, InspectionFactory

    inspection = InspectionFactory(start_date=TODAY - dt.timedelta(days=400))
    covered = AreaForImprovementFactory(inspection=inspection, short_title="Covered area")
    AreaForImprovementFactory(inspection=inspection, short_title="Forgotten area")
    ActionFactory(title="Late thing", due_date=TODAY - dt.timedelta(days=3), areas=[covered])
    body = as_user(board_member).get(reverse("dashboard")).content.decode()
    assert "Overdue actions (1)" in body
    assert "Late thing" in body
    assert "1 area for improvement has no live action." in body
    assert "Forgotten area" in body


def test_dashboard_shows_red_indicators_and_risks_above_appetite(as_user, board_member, demo):
    body = as_user(board_member).get(reverse("dashboard")).content.decode()
    assert "Indicators rated red" in body
    assert "Social worker vacancy rate" in body
    assert "Risks above appetite" in body
    assert "Actions are not implemented in a timely manner" in body
