"""Who gets which reminder, with what in it: `reminders_for_day` and the plan."""

import datetime as dt

import pytest

from accounts.models import Role
from actions.models import Action, Status
from reminders import services
from reminders.digests import reminders_for_day
from reminders.models import Frequency, Kind, Reminder
from tests.factories import (
    TODAY,
    ActionFactory,
    PriorityFactory,
    ReminderPreferenceFactory,
    ReminderSettingsFactory,
    UserFactory,
)
from tests.reminders.conftest import MONDAY

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def due(days_from_today: int, **kwargs) -> Action:
    """An open action due `days_from_today` after TODAY (negative: overdue)."""
    due_date = TODAY + days_from_today * DAY
    start = min(due_date, TODAY) - 30 * DAY
    return ActionFactory(due_date=due_date, baseline_due_date=due_date, start_date=start, **kwargs)


def by_kind(digests, kind):
    return {d.recipient.id: d for d in digests if d.kind == kind}


def test_one_digest_per_owner_lists_overdue_and_due_soon_not_later_or_closed(officer):
    overdue = due(-3, owner=officer)
    soon = due(7, owner=officer)  # the edge of "within 7 days" is in
    due(8, owner=officer)  # too far ahead
    due(-10, owner=officer, status=Status.COMPLETE, completed_date=TODAY)
    due(-10, owner=officer, status=Status.CANCELLED)

    digests = reminders_for_day(on=TODAY)

    mine = by_kind(digests, Kind.DAILY_DIGEST)[officer.pk]
    assert [line.action_id for line in mine.overdue] == [overdue.pk]
    assert [line.action_id for line in mine.due_soon] == [soon.pk]
    line = mine.overdue[0]
    assert line.days_overdue == 3
    assert line.rag == "red"
    assert line.url == f"http://127.0.0.1:8000/actions/{overdue.pk}/"
    assert mine.subject == "Your improvement actions: 1 overdue and 1 due in the next 7 days"


def test_people_with_nothing_due_get_nothing(officer, other_officer):
    due(30, owner=officer)
    assert reminders_for_day(on=TODAY) == []


def test_due_within_days_comes_from_the_settings(officer):
    due(10, owner=officer)
    ReminderSettingsFactory(due_within_days=14)
    (digest,) = reminders_for_day(on=TODAY, kinds=[Kind.DAILY_DIGEST])
    assert digest.due_soon_heading == "Due in the next 14 days"


def test_paused_person_gets_no_digest_until_the_day_they_are_back(officer):
    due(-2, owner=officer)
    ReminderPreferenceFactory(user=officer, paused=True, back_on=TODAY + 2 * DAY)
    assert reminders_for_day(on=TODAY, kinds=[Kind.DAILY_DIGEST]) == []
    assert reminders_for_day(on=TODAY + 2 * DAY, kinds=[Kind.DAILY_DIGEST]) != []


def test_weekly_digest_is_keyed_to_monday(officer):
    due(-2, owner=officer)
    ReminderPreferenceFactory(user=officer, frequency=Frequency.WEEKLY)
    wednesday = MONDAY + 2 * DAY
    (digest,) = reminders_for_day(on=wednesday, kinds=[Kind.WEEKLY_DIGEST])
    assert digest.kind == Kind.WEEKLY_DIGEST
    assert digest.date == MONDAY
    assert digest.on == wednesday
    assert reminders_for_day(on=wednesday, kinds=[Kind.DAILY_DIGEST]) == []


def test_escalation_goes_to_accountable_manager_after_more_than_m_days(officer):
    manager = UserFactory(role=Role.OFFICER)
    late = due(-15, owner=officer, accountable=manager)
    due(-14, owner=officer, accountable=manager)  # exactly 14 days: not yet

    escalations = by_kind(reminders_for_day(on=TODAY), Kind.ESCALATION)

    assert [line.action_id for line in escalations[manager.pk].overdue] == [late.pk]
    assert escalations[manager.pk].overdue[0].owner_name == officer.display_name
    assert officer.pk not in escalations


def test_escalation_still_runs_when_the_owner_has_paused(officer):
    manager = UserFactory(role=Role.OFFICER)
    due(-20, owner=officer, accountable=manager)
    ReminderPreferenceFactory(user=officer, paused=True)
    ReminderPreferenceFactory(user=manager, paused=True)

    digests = reminders_for_day(on=TODAY)

    assert by_kind(digests, Kind.DAILY_DIGEST) == {}
    assert list(by_kind(digests, Kind.ESCALATION)) == [manager.pk]


def test_escalation_can_be_switched_off(officer):
    due(-20, owner=officer)
    ReminderSettingsFactory(escalation_enabled=False)
    assert by_kind(reminders_for_day(on=TODAY), Kind.ESCALATION) == {}


def test_weekly_summary_goes_to_improvement_leads_only(officer, lead, administrator):
    a = due(-1, owner=officer)
    b = due(-40, owner=officer)
    due(3, owner=officer)

    summaries = by_kind(reminders_for_day(on=TODAY), Kind.LEAD_SUMMARY)

    assert list(summaries) == [lead.pk]
    summary = summaries[lead.pk]
    assert [line.action_id for line in summary.listed_overdue] == [b.pk, a.pk]
    assert summary.subject == "Weekly summary: 2 actions overdue"


def test_weekly_summary_goes_even_when_nothing_is_overdue_and_can_be_switched_off(lead):
    (summary,) = reminders_for_day(on=TODAY)
    assert summary.kind == Kind.LEAD_SUMMARY and summary.overdue == []
    ReminderSettingsFactory(weekly_lead_summary=False)
    assert reminders_for_day(on=TODAY) == []


def test_inactive_people_and_people_without_email_get_nothing(officer):
    due(-1, owner=officer)
    nomail = UserFactory(email="")
    due(-1, owner=nomail)
    officer.is_active = False
    officer.save()
    assert reminders_for_day(on=TODAY) == []


def test_one_persons_reminder_matches_the_whole_days_computation(officer, lead):
    manager = UserFactory(role=Role.OFFICER)
    due(-20, owner=officer, accountable=manager)
    due(2, owner=officer, accountable=manager)
    due(-3, owner=manager, accountable=officer)
    everyone = reminders_for_day(on=TODAY)
    for digest in everyone:
        (alone,) = reminders_for_day(
            on=TODAY, recipient_id=digest.recipient.id, kinds=[digest.kind]
        )
        assert alone.overdue == digest.overdue
        assert alone.due_soon == digest.due_soon


def _seed(n_actions: int, n_owners: int):
    priority = PriorityFactory()
    owners = [UserFactory(role=Role.OFFICER) for _ in range(n_owners)]
    ActionFactory.create_batch(
        n_actions,
        priority=priority,
        owner=factory_cycle(owners),
        accountable=factory_cycle(owners[::-1]),
        start_date=TODAY - 90 * DAY,
        due_date=factory_days(),
        baseline_due_date=TODAY,
    )


def factory_cycle(items):
    import factory

    return factory.Iterator(items)


def factory_days():
    import factory

    return factory.Iterator([TODAY + n * DAY for n in range(-30, 10, 3)])


@pytest.mark.parametrize("n_actions,n_owners", [(5, 2), (60, 12)])
def test_a_days_reminders_take_the_same_few_queries_whatever_the_size(
    django_assert_num_queries, lead, n_actions, n_owners
):
    _seed(n_actions, n_owners)
    with django_assert_num_queries(5):  # settings, people, actions, challenges, risks
        digests = reminders_for_day(on=TODAY)
        for digest in digests:  # and reading everything in them needs no more
            for line in [*digest.overdue, *digest.due_soon]:
                assert line.reference and line.owner_name
    assert len(digests) > n_owners


def test_plan_writes_one_row_per_email_once(officer, lead):
    due(-1, owner=officer)
    assert services.reminders_plan(on=TODAY) == 2
    assert services.reminders_plan(on=TODAY) is None  # already planned today
    assert services.reminders_plan(on=TODAY, force=True) == 2  # the operator's top-up
    assert sorted(Reminder.objects.values_list("kind", flat=True)) == [
        Kind.DAILY_DIGEST,
        Kind.LEAD_SUMMARY,
    ]
