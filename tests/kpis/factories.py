"""Factories for indicators (kept beside their tests to keep tests/factories.py merge-free)."""

import datetime as dt
from decimal import Decimal

import factory

from accounts.models import Role
from kpis.models import Comparator, Direction, Frequency, Indicator, IndicatorValue, Unit
from tests.factories import UserFactory


class ComparatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comparator
        django_get_or_create = ["name"]

    name = "England"
    order = 1


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"indicator-{n}")
    name = factory.Sequence(lambda n: f"Indicator {n}")
    definition = "What is counted."
    unit = Unit.PERCENTAGE
    decimal_places = 1
    good_direction = Direction.LOWER
    frequency = Frequency.ANNUAL
    target = Decimal("20")
    amber_tolerance = Decimal("2")
    owner = factory.SubFactory(UserFactory, role=Role.OFFICER)


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorValue

    indicator = factory.SubFactory(IndicatorFactory)
    comparator = None
    period_end = factory.Sequence(lambda n: dt.date(2000 + n, 3, 31))
    period_label = factory.LazyAttribute(lambda v: str(v.period_end.year))
    value = Decimal("10")
