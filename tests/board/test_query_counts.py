"""The board's pages, and its sections on other pages, run the same number of queries
however many challenges, messages and meetings there are."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from board import services
from tests.factories import AgendaItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def grow(start, end, *, member, officer, action, area):
    for i in range(start, end):
        meeting = MeetingFactory(date=dt.date(2020, 1, 1) + dt.timedelta(days=30 * i))
        item = AgendaItemFactory(meeting=meeting, order=1, title=f"Item {i}")
        item.actions.add(action)
        item.areas.add(area)
        for target in (action, area):
            challenge = services.challenge_raise(
                user=member, target=target, question=f"Q{i}", meeting=meeting
            )
            services.challenge_answer(user=officer, pk=challenge.pk, text="A")
            if i % 3 == 1:
                services.challenge_accept(user=member, pk=challenge.pk)
            elif i % 3 == 2:
                services.challenge_press(user=member, pk=challenge.pk, text="More")


def counts(client, urls):
    result = {}
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        result[name] = len(ctx.captured_queries)
    return result


@pytest.mark.parametrize("who", ["board_member", "officer"])
def test_query_counts_do_not_grow_with_challenges(
    request, as_user, who, board_member, officer, action, area
):
    action.areas.add(area)
    first = MeetingFactory(date=dt.date(2019, 12, 1))
    urls = {
        "action": action.get_absolute_url(),
        "area": area.get_absolute_url(),
        "dashboard": reverse("dashboard"),
        "my_actions": reverse("actions:my_actions"),
        "challenges": reverse("board:challenge_list") + "?show=all",
        "meetings": reverse("board:meeting_list"),
        "meeting": first.get_absolute_url(),
        "pack": reverse("board:challenge_pack") + "?since=2019-01-01",
    }
    client = as_user(request.getfixturevalue(who))
    client.get(urls["dashboard"])  # the first request of a session looks up its device once
    # Three meetings, so the small plan already has every state (answered, accepted, pressed).
    grow(0, 3, member=board_member, officer=officer, action=action, area=area)
    small = counts(client, urls)
    grow(3, 14, member=board_member, officer=officer, action=action, area=area)
    assert counts(client, urls) == small
