"""Board challenges waiting for an answer and overdue risk reviews join the daily digest."""

import datetime as dt

import pytest

from accounts.models import User
from board.models import Challenge
from reminders.digests import reminders_for_day
from reminders.models import Kind
from risks.models import Risk
from tests.factories import TODAY

pytestmark = pytest.mark.django_db


def test_open_challenges_and_overdue_risk_reviews_are_in_the_owners_digest(demo):
    waiting = Challenge.objects.awaiting_answer().select_related("assigned_to").first()
    assert waiting is not None
    Risk.objects.filter(pk=Risk.objects.order_by("pk").first().pk).update(
        review_date=TODAY - dt.timedelta(days=3)
    )
    risk = Risk.objects.order_by("pk").first()

    digests = reminders_for_day(on=TODAY)
    by_person = {(d.recipient.id, d.kind): d for d in digests}
    mine = by_person[(waiting.assigned_to_id, Kind.DAILY_DIGEST)]
    assert any(waiting.question in line.detail for line in mine.challenges)
    assert "board challenge" in mine.subject
    owner_digest = by_person[(risk.owner_id, Kind.DAILY_DIGEST)]
    assert any(
        line.label.startswith(f"Risk {risk.reference}") for line in owner_digest.risk_reviews
    )


def test_a_person_with_only_a_challenge_still_gets_a_digest(demo):
    waiting = Challenge.objects.awaiting_answer().first()
    person = User.objects.get(pk=waiting.assigned_to_id)
    person.owned_actions.update(due_date=TODAY + dt.timedelta(days=300))
    digests = [d for d in reminders_for_day(on=TODAY) if d.recipient.id == person.pk]
    assert digests and digests[0].challenges


def test_digest_query_count_stays_constant(demo, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        reminders_for_day(on=TODAY)
