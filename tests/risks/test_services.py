import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from risks.models import Colour, RiskRating
from risks.services import risk_create, risk_update
from tests.factories import TODAY, RiskFactory, numeric_5x5, rate, target

pytestmark = pytest.mark.django_db


def risk_data(owner, **overrides) -> dict:
    return {
        "reference": "R9",
        "title": "Referrals rise after the judgement",
        "description": "Referrals may rise.",
        "owner": owner,
        **rate("C2"),
        **target("D3"),
        "appetite": Colour.AMBER,
        "review_date": TODAY + dt.timedelta(days=30),
        "status": "open",
        "actions": [],
    } | overrides


def test_lead_adds_a_risk_and_its_first_rating_is_recorded(lead, officer):
    risk = risk_create(user=lead, data=risk_data(officer), on=TODAY)
    rating = risk.ratings.get()
    assert (rating.rating, rating.target_rating, rating.rated_on) == ("C2", "D3", TODAY)
    assert rating.note == "First rating."


def test_officer_cannot_add_a_risk(officer):
    with pytest.raises(PermissionDenied):
        risk_create(user=officer, data=risk_data(officer))


def test_changing_the_rating_needs_a_reason_and_adds_to_the_history(officer):
    risk = RiskFactory(owner=officer, **rate("C3"))
    with pytest.raises(ValidationError) as excinfo:
        risk_update(user=officer, pk=risk.pk, data=rate("B2"))
    assert "rating_note" in excinfo.value.error_dict
    assert risk.ratings.count() == 1

    later = TODAY + dt.timedelta(days=7)
    risk_update(
        user=officer, pk=risk.pk, data=rate("B2") | {"rating_note": "Referrals up 30%"}, on=later
    )
    history = list(risk.ratings.all())
    assert [(r.rating, r.rated_on, r.note) for r in history] == [
        ("B2", later, "Referrals up 30%"),
        ("C3", TODAY, ""),
    ]
    risk.refresh_from_db()
    assert risk.rating == "B2"


def test_changing_the_target_is_also_history(officer):
    risk = RiskFactory(owner=officer)
    risk_update(user=officer, pk=risk.pk, data=target("E3") | {"rating_note": "New aim"})
    assert risk.ratings.first().target_rating == "E3"


def test_other_changes_leave_the_history_alone(officer):
    risk = RiskFactory(owner=officer)
    risk_update(user=officer, pk=risk.pk, data={"controls": "Weekly caseload review"})
    risk.refresh_from_db()
    assert risk.controls == "Weekly caseload review"
    assert risk.ratings.count() == 1


def test_only_the_owner_or_a_lead_updates_a_risk(officer, other_officer, board_member, lead):
    risk = RiskFactory(owner=officer)
    for user in (other_officer, board_member):
        with pytest.raises(PermissionDenied):
            risk_update(user=user, pk=risk.pk, data={"controls": "x"})
    with pytest.raises(PermissionDenied):
        risk_update(user=officer, pk=risk.pk, data={"owner": other_officer})
    risk_update(user=lead, pk=risk.pk, data={"owner": other_officer, "status": "closed"})
    risk.refresh_from_db()
    assert (risk.owner, risk.status) == (other_officer, "closed")


def test_ratings_must_come_from_one_matrix(lead, officer):
    numeric_5x5(active=False)
    risk = RiskFactory(owner=officer)
    with pytest.raises(ValidationError):
        risk_update(user=lead, pk=risk.pk, data=rate("4x5", "Numeric 5x5") | {"rating_note": "x"})
    assert RiskRating.objects.count() == 1
