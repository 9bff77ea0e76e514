import pytest

from accounts import permissions
from tests.factories import RiskFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_risk_role_matrix(board_member, officer, other_officer, lead, administrator):
    risk = RiskFactory(owner=officer)
    no_role = UserFactory(username="norole")
    expected = {
        # user: (manage risks, edit this risk)
        board_member: (False, False),
        officer: (False, True),
        other_officer: (False, False),
        lead: (True, True),
        administrator: (True, True),
        no_role: (False, False),
    }
    for user, (manage, edit) in expected.items():
        assert permissions.can_manage_risks(user) is manage, user
        assert permissions.can_edit_risk(user, risk) is edit, user
