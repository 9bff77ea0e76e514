"""Each page's SQL query count stays the same with 10 and with 1,000 actions."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from actions.models import Action, ProgressUpdate, Status
from tests.factories import (
    TODAY,
    AreaForImprovementFactory,
    InspectionFactory,
    JudgementFactory,
    PriorityFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_session_refresh(settings):
    """The session is saved at most once a minute (SessionRefreshMiddleware): keep that
    write out of the counts, or whichever request falls due would count three more."""
    settings.SESSION_REFRESH_SECONDS = 10**10


STATUSES = [Status.NOT_STARTED, Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK]


class Plan:
    """A plan that can grow, so the same pages are measured at two sizes."""

    def __init__(self):
        self.inspection = InspectionFactory()
        JudgementFactory(inspection=self.inspection)
        self.areas = [
            AreaForImprovementFactory(inspection=self.inspection, order=i) for i in range(1, 4)
        ]
        self.priorities = [PriorityFactory(number=i, title=f"Priority {i}") for i in range(1, 4)]
        self.owners = [UserFactory(username=f"owner{i}", role=Role.OFFICER) for i in range(5)]
        self.size = 0

    def grow_to(self, n: int) -> None:
        new = range(self.size, n)
        actions = Action.objects.bulk_create(
            Action(
                reference=f"{i % 3 + 1}.{i}",
                title=f"Action {i}",
                priority=self.priorities[i % 3],
                owner=self.owners[i % 5],
                accountable=self.owners[(i + 1) % 5],
                start_date=TODAY - dt.timedelta(days=100),
                baseline_due_date=TODAY + dt.timedelta(days=i % 60 - 30),
                due_date=TODAY + dt.timedelta(days=i % 60 - 30),
                status=STATUSES[i % 4],
            )
            for i in new
        )
        Action.areas.through.objects.bulk_create(
            Action.areas.through(action_id=a.pk, areaforimprovement_id=self.areas[i % 3].pk)
            for i, a in zip(new, actions, strict=True)
        )
        ProgressUpdate.objects.bulk_create(
            ProgressUpdate(
                action=a,
                author=self.owners[0],
                note="Update",
                status_before=a.status,
                status_after=a.status,
                percent_before=0,
                percent_after=0,
            )
            for a in actions
        )
        self.size = n

    def urls(self) -> dict[str, str]:
        area = self.areas[0]
        first = Action.objects.order_by("pk").first()
        return {
            "dashboard": reverse("dashboard"),
            "action_list": reverse("actions:action_list") + "?sort=due_date",
            "action_list_filtered": reverse("actions:action_list") + f"?area={area.pk}&rag=red",
            "my_actions": reverse("actions:my_actions"),
            "action_detail": reverse("actions:action_detail", args=[first.pk]),
            "inspection_list": reverse("inspections:inspection_list"),
            "inspection_detail": reverse(
                "inspections:inspection_detail", args=[self.inspection.pk]
            ),
            "area_detail": reverse("inspections:area_detail", args=[area.pk]),
            # Leads running the plan.
            "action_create": reverse("actions:action_create") + f"?area={area.pk}",
            "action_create_several": reverse("actions:action_create_several") + f"?area={area.pk}",
            "action_edit": reverse("actions:action_edit", args=[first.pk]),
            "action_cancel": reverse("actions:action_cancel", args=[first.pk]),
            "priority_list": reverse("actions:priority_list"),
            "priority_retire": reverse("actions:priority_retire", args=[self.priorities[0].pk]),
            "priority_renumber": reverse("actions:priority_renumber", args=[self.priorities[0].pk]),
        }


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def test_page_query_counts_are_the_same_with_10_and_1000_actions(as_user, lead):
    plan = Plan()
    client = as_user(lead)
    client.get(reverse("dashboard"))  # the first request also does the session's bookkeeping
    plan.grow_to(10)
    small = {name: count_queries(client, url) for name, url in plan.urls().items()}
    plan.grow_to(1000)
    large = {name: count_queries(client, url) for name, url in plan.urls().items()}
    assert large == small


def test_officers_my_actions_query_count_does_not_grow(as_user):
    plan = Plan()
    client = as_user(plan.owners[0])
    client.get(reverse("dashboard"))  # the first request also saves the new session
    counts = []
    for size in (10, 1000):
        plan.grow_to(size)
        counts.append(count_queries(client, reverse("actions:my_actions")))
    assert counts[0] == counts[1]


def test_htmx_update_with_out_of_band_parts_query_count_does_not_grow(as_user, lead):
    plan = Plan()
    client = as_user(lead)
    client.get(reverse("dashboard"))  # the first request also does the session's bookkeeping
    counts = []
    for size in (10, 1000):
        plan.grow_to(size)
        action = Action.objects.filter(status=Status.ON_TRACK).order_by("pk").first()
        prefix = f"a{action.pk}-"
        data = {
            prefix + "version": action.version,
            prefix + "status": Status.AT_RISK,
            prefix + "percent_complete": "30",
            prefix + "due_date": action.due_date.isoformat(),
            prefix + "note": "Update",
        }
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(
                reverse("actions:action_update", args=[action.pk]),
                data,
                headers={"HX-Request": "true"},
            )
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_htmx_status_update_query_count_does_not_grow(as_user, lead):
    plan = Plan()
    client = as_user(lead)
    client.get(reverse("dashboard"))  # the first request also does the session's bookkeeping
    counts = []
    for size in (10, 1000):
        plan.grow_to(size)
        action = Action.objects.filter(status=Status.ON_TRACK).order_by("pk").first()
        url = reverse("actions:action_status", args=[action.pk])
        data = {f"s{action.pk}-version": action.version, f"s{action.pk}-status": Status.AT_RISK}
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(url, data, headers={"HX-Request": "true"})
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
