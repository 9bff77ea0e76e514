import datetime as dt

import pytest

from accounts.models import Role
from tests.factories import (
    TODAY,
    ActionFactory,
    AreaForImprovementFactory,
    MeetingFactory,
    UserFactory,
)


@pytest.fixture
def second_member(db):
    return UserFactory(username="member2", role=Role.BOARD_MEMBER)


@pytest.fixture
def meeting(db):
    return MeetingFactory(date=TODAY - dt.timedelta(days=7))


@pytest.fixture
def area(db):
    return AreaForImprovementFactory()


@pytest.fixture
def area_action(area, officer):
    """An open action owned by `officer` against `area`."""
    return ActionFactory(owner=officer, areas=[area])
