import pytest

from accounts import permissions
from tests.factories import IndicatorFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_indicator_role_matrix(board_member, officer, other_officer, lead, administrator):
    indicator = IndicatorFactory(owner=officer)
    no_role = UserFactory(username="norole")
    expected = {
        # user: (manage indicators, enter this indicator's values, open the import)
        board_member: (False, False, False),
        officer: (False, True, True),
        other_officer: (False, False, True),
        lead: (True, True, True),
        administrator: (True, True, True),
        no_role: (False, False, False),
    }
    for user, (manage, enter, import_) in expected.items():
        assert permissions.can_manage_indicators(user) is manage, user
        assert permissions.can_enter_indicator_values(user, indicator) is enter, user
        assert permissions.can_import_indicator_values(user) is import_, user
