"""tests/factories.py builds rows the application itself would accept: each factory's
defaults pass the model's validation and its database constraints."""

import datetime as dt

import pytest
from django.apps import apps
from pghistory.models import Event

from tests import factories

pytestmark = pytest.mark.django_db

FACTORIES = sorted(
    (
        value
        for name, value in vars(factories).items()
        if name.endswith("Factory") and hasattr(value, "_meta") and value._meta.model
    ),
    key=lambda f: f.__name__,
)


def test_there_is_one_factory_a_model():
    models = [f._meta.model for f in FACTORIES]
    assert len(models) == len(set(models))
    names = {m.__name__ for m in models}
    for aggregate in ("Meeting", "AgendaItem", "Decision", "Challenge", "Attendance"):
        assert aggregate in names
    for aggregate in ("Indicator", "IndicatorValue", "Risk", "BoardPack", "Delivery"):
        assert aggregate in names


def test_every_reminders_model_has_a_factory():
    """Its history rows (pghistory's events) are written by triggers, never by a test."""
    have = {f._meta.model for f in FACTORIES}
    wanted = {
        model
        for model in apps.get_app_config("reminders").get_models()
        if not issubclass(model, Event)
    }
    assert wanted, "the reminders app has models"
    assert sorted(m.__name__ for m in wanted - have) == []


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_each_factory_builds_a_valid_row(factory):
    row = factory()
    row.full_clean()
    assert type(row).objects.filter(pk=row.pk).exists()


def test_two_of_each_can_live_side_by_side():
    """Sequences keep unique fields (dates, orders, references) apart; a get-or-create
    factory (a singleton such as the reminder settings) gives the one row twice."""
    for factory in FACTORIES:
        first, second = factory(), factory()
        assert first.pk != second.pk or factory._meta.django_get_or_create, factory


def test_the_reminder_settings_factory_changes_the_one_row_and_keeps_the_rest():
    from reminders.models import ReminderSettings

    factories.ReminderSettingsFactory(due_within_days=10)
    row = factories.ReminderSettingsFactory(send_time=dt.time(9, 30))
    row.refresh_from_db()
    assert ReminderSettings.objects.count() == 1
    assert (row.due_within_days, row.send_time, row.escalate_after_days) == (
        10,
        dt.time(9, 30),
        14,
    )


def test_load_demo_gives_the_medway_demo(demo):
    from board.models import Meeting
    from risks.models import Risk

    assert Meeting.objects.exists()
    assert Risk.objects.filter(reference="R1").exists()
