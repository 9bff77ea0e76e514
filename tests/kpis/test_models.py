import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from actions.models import Rag
from kpis.models import Direction, Unit, format_value, rag_for, trend_between
from tests.factories import ComparatorFactory, IndicatorFactory, IndicatorValueFactory

D = Decimal


@pytest.mark.parametrize(
    ("direction", "value", "expected"),
    [
        # Higher is better, target 80, tolerance 5: 80+ green, 75-79.9 amber, below red.
        (Direction.HIGHER, "90", Rag.GREEN),
        (Direction.HIGHER, "80", Rag.GREEN),
        (Direction.HIGHER, "79.9", Rag.AMBER),
        (Direction.HIGHER, "75", Rag.AMBER),
        (Direction.HIGHER, "74.9", Rag.RED),
        # Lower is better, target 80, tolerance 5: 80 or less green, up to 85 amber.
        (Direction.LOWER, "70", Rag.GREEN),
        (Direction.LOWER, "80", Rag.GREEN),
        (Direction.LOWER, "80.1", Rag.AMBER),
        (Direction.LOWER, "85", Rag.AMBER),
        (Direction.LOWER, "85.1", Rag.RED),
    ],
)
def test_rag_against_target_in_both_directions(direction, value, expected):
    assert (
        rag_for(value=D(value), target=D("80"), direction=direction, amber_tolerance=D("5"))
        == expected
    )


@pytest.mark.parametrize("direction", [Direction.HIGHER, Direction.LOWER])
def test_with_no_tolerance_any_miss_is_red(direction):
    miss = D("79.99") if direction == Direction.HIGHER else D("80.01")
    assert rag_for(value=miss, target=D(80), direction=direction, amber_tolerance=D(0)) == Rag.RED


def test_no_target_or_no_value_is_not_rated():
    assert rag_for(value=D(1), target=None, direction="lower", amber_tolerance=D(1)) is None
    assert rag_for(value=None, target=D(1), direction="lower", amber_tolerance=D(1)) is None


@pytest.mark.parametrize(
    ("value", "unit", "places", "expected"),
    [
        ("29.65", Unit.PERCENTAGE, 1, "29.65%"),
        ("20.4000", Unit.PERCENTAGE, 1, "20.4%"),
        ("20", Unit.PERCENTAGE, 1, "20.0%"),
        ("1393.27", Unit.MONEY, 2, "£1,393.27"),
        ("-5", Unit.MONEY, 2, "-£5.00"),
        ("1234", Unit.COUNT, 0, "1,234"),
        ("1", Unit.DAYS, 0, "1 day"),
        ("12.5", Unit.DAYS, 0, "12.5 days"),
        ("0.85", Unit.RATIO, 0, "0.85"),
    ],
)
def test_values_are_shown_as_people_write_them(value, unit, places, expected):
    assert format_value(D(value), unit=unit, decimal_places=places) == expected


@pytest.mark.parametrize(
    ("latest", "previous", "direction", "expected"),
    [
        ("30", "20", Direction.LOWER, ("up", False)),
        ("30", "20", Direction.HIGHER, ("up", True)),
        ("10", "20", Direction.LOWER, ("down", True)),
        ("10", "20", Direction.HIGHER, ("down", False)),
        ("20", "20", Direction.LOWER, ("level", None)),
    ],
)
def test_trend_knows_which_way_is_good(latest, previous, direction, expected):
    assert trend_between(latest=D(latest), previous=D(previous), direction=direction) == expected


def test_trend_with_one_value_has_nothing_to_compare():
    assert trend_between(latest=D(1), previous=None, direction="lower") == ("none", None)


@pytest.mark.django_db
def test_one_council_value_per_period_even_though_comparator_is_null():
    value = IndicatorValueFactory(period_end=dt.date(2022, 9, 30))
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValueFactory(indicator=value.indicator, period_end=dt.date(2022, 9, 30))


@pytest.mark.django_db
def test_a_comparator_value_for_the_same_period_is_allowed_but_only_once():
    value = IndicatorValueFactory(period_end=dt.date(2022, 9, 30))
    england = ComparatorFactory()
    IndicatorValueFactory(
        indicator=value.indicator, comparator=england, period_end=dt.date(2022, 9, 30)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValueFactory(
            indicator=value.indicator, comparator=england, period_end=dt.date(2022, 9, 30)
        )


@pytest.mark.django_db
def test_period_cannot_start_after_it_ends():
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValueFactory(period_start=dt.date(2023, 1, 1), period_end=dt.date(2022, 1, 1))


@pytest.mark.django_db
def test_negative_tolerance_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorFactory(amber_tolerance=D("-1"))
