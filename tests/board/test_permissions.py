import pytest
from django.utils import timezone

from accounts import permissions
from board.models import Challenge
from tests.factories import ActionFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_board_role_matrix(
    board_member, second_member, officer, other_officer, lead, administrator
):
    action = ActionFactory(owner=officer)
    challenge = Challenge(
        action=action,
        raised_by=board_member,
        assigned_to=officer,
        question="Q",
        answer_due=timezone.localdate(),
    )
    no_role = UserFactory(username="norole")
    expected = {
        # user: (manage meetings, raise, answer, close, reassign, manage plan)
        board_member: (False, True, False, True, False, False),
        second_member: (False, True, False, False, False, False),
        officer: (False, False, True, False, False, False),
        other_officer: (False, False, False, False, False, False),
        lead: (True, False, True, False, True, True),
        administrator: (True, False, True, False, True, True),
        no_role: (False, False, False, False, False, False),
    }
    for user, row in expected.items():
        actual = (
            permissions.can_manage_meetings(user),
            permissions.can_raise_challenge(user),
            permissions.can_answer_challenge(user, challenge),
            permissions.can_close_challenge(user, challenge),
            permissions.can_reassign_challenge(user),
            permissions.can_manage_plan(user),
        )
        assert actual == row, user


def test_accountable_manager_answers_challenges_about_their_action(board_member, officer):
    accountable = UserFactory(username="acc", role="Officer")
    action = ActionFactory(owner=officer, accountable=accountable)
    challenge = Challenge(action=action, raised_by=board_member, assigned_to=officer)
    assert permissions.can_answer_challenge(accountable, challenge)


def test_an_officer_assigned_an_area_challenge_answers_it(board_member, officer, other_officer):
    from tests.factories import AreaForImprovementFactory

    challenge = Challenge(
        area=AreaForImprovementFactory(), raised_by=board_member, assigned_to=other_officer
    )
    assert permissions.can_answer_challenge(other_officer, challenge)
    assert not permissions.can_answer_challenge(officer, challenge)


def test_inactive_member_can_neither_raise_nor_close(board_member, officer):
    challenge = Challenge(
        action=ActionFactory(owner=officer), raised_by=board_member, assigned_to=officer
    )
    board_member.is_active = False
    assert not permissions.can_raise_challenge(board_member)
    assert not permissions.can_close_challenge(board_member, challenge)
