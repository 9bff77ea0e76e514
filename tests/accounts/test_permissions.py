import pytest

from accounts import permissions
from tests.factories import ActionFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_role_matrix(board_member, officer, other_officer, lead, administrator):
    action = ActionFactory(owner=officer)
    no_role = UserFactory(username="norole")
    expected = {
        # user: (can_view, can_manage_plan, can_edit_action)
        board_member: (True, False, False),
        officer: (True, False, True),
        other_officer: (True, False, False),
        lead: (True, True, True),
        administrator: (True, True, True),
        no_role: (False, False, False),
    }
    for user, (view, manage, edit) in expected.items():
        assert permissions.can_view(user) is view, user
        assert permissions.can_manage_plan(user) is manage, user
        assert permissions.can_manage_inspections(user) is manage, user
        assert permissions.can_edit_action(user, action) is edit, user


def test_accountable_officer_can_edit(officer, other_officer):
    action = ActionFactory(owner=officer, accountable=other_officer)
    assert permissions.can_edit_action(other_officer, action)


def test_inactive_user_can_do_nothing(lead):
    lead.is_active = False
    assert not permissions.can_view(lead)
    assert not permissions.can_manage_plan(lead)
