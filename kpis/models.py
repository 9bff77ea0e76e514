"""Performance indicators: what is measured, its target, its values and its comparators."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from actions.models import Priority, Rag
from inspections.models import AreaForImprovement


class Unit(models.TextChoices):
    PERCENTAGE = "percentage", "Percentage"
    COUNT = "count", "Count"
    MONEY = "money", "Money (£)"
    DAYS = "days", "Days"
    RATIO = "ratio", "Ratio"


class Direction(models.TextChoices):
    """Which way is good. Decides both the RAG rating and whether a trend is better or worse."""

    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUAL = "annual", "Annual"
    AD_HOC = "ad_hoc", "When published"


RAG_RULE = """\
1. An indicator with no target, or with no value yet, is not rated.
2. The gap is how far the latest value is on the good side of the target: value minus \
target when higher is better, target minus value when lower is better.
3. Green: the gap is zero or more, so the target is met or beaten.
4. Amber: the value misses the target by no more than the amber tolerance, which is in \
the indicator's own units (percentage points for a percentage).
5. Red: the value misses the target by more than the amber tolerance."""


def rag_for(
    *,
    value: Decimal | None,
    target: Decimal | None,
    direction: str,
    amber_tolerance: Decimal,
) -> str | None:
    """RAG_RULE in code: the one place a value is rated against its target."""
    if value is None or target is None:
        return None
    gap = value - target if direction == Direction.HIGHER else target - value
    if gap >= 0:
        return Rag.GREEN
    if -gap <= amber_tolerance:
        return Rag.AMBER
    return Rag.RED


def format_value(value: Decimal | float | None, *, unit: str, decimal_places: int = 0) -> str:
    """A value as people write it: 29.65%, 1,234, £1,393.27, 12 days, 0.85.

    Shows at least `decimal_places` places, and more if the value was recorded with more
    (never hides a figure someone typed), up to four."""
    if value is None:
        return "No value"
    value = Decimal(str(value))
    exponent = value.normalize().as_tuple().exponent
    recorded = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    places = min(max(decimal_places, recorded), 4)
    number = f"{value:,.{places}f}"
    if unit == Unit.PERCENTAGE:
        return f"{number}%"
    if unit == Unit.MONEY:
        return f"-£{number[1:]}" if number.startswith("-") else f"£{number}"
    if unit == Unit.DAYS:
        return f"{number} day" if value == 1 else f"{number} days"
    return number


def trend_between(
    *, latest: Decimal | None, previous: Decimal | None, direction: str
) -> tuple[str, bool | None]:
    """("up" | "down" | "level" | "none", better?) comparing the latest value with the one
    before. `better` is None when level or when there is nothing to compare."""
    if latest is None or previous is None:
        return "none", None
    if latest == previous:
        return "level", None
    going_up = latest > previous
    return ("up" if going_up else "down"), going_up == (direction == Direction.HIGHER)


@pghistory.track()
class Comparator(models.Model):
    """Someone whose figures the council compares itself with: England, its region,
    its statistical neighbours, or any other named comparator."""

    name = models.CharField(max_length=100, unique=True)
    description = models.CharField(max_length=250, blank=True)
    order = models.PositiveSmallIntegerField(default=0, help_text="Order in tables and charts.")

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class IndicatorQuerySet(models.QuerySet):
    def for_scorecard(self):
        return self.select_related("owner").prefetch_related("priorities", "areas__inspection")

    def owned_by(self, user):
        return self.filter(owner=user)


@pghistory.track()
class Indicator(models.Model):
    """A performance indicator the board reads beside the plan: the measure of impact of
    the priorities and areas for improvement it is linked to."""

    code = models.SlugField(
        max_length=60,
        unique=True,
        help_text="A short name for CSV imports, for example sw-vacancy-rate.",
    )
    name = models.CharField(max_length=150, unique=True)
    definition = models.TextField(help_text="What is counted, how, and from which system.")
    unit = models.CharField(max_length=20, choices=Unit.choices)
    decimal_places = models.PositiveSmallIntegerField(
        default=0, help_text="The fewest decimal places to show (values keep up to four)."
    )
    good_direction = models.CharField("which way is good", max_length=10, choices=Direction.choices)
    frequency = models.CharField(max_length=20, choices=Frequency.choices)
    target = models.DecimalField(
        max_digits=14, decimal_places=4, null=True, blank=True, help_text="Leave empty if none."
    )
    amber_tolerance = models.DecimalField(
        max_digits=14,
        decimal_places=4,
        default=Decimal(0),
        help_text="How far the value may miss the target and still be amber, in the "
        "indicator's units (percentage points for a percentage). 0 means any miss is red.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="indicators"
    )
    priorities = models.ManyToManyField(Priority, related_name="indicators", blank=True)
    areas = models.ManyToManyField(
        AreaForImprovement,
        related_name="indicators",
        blank=True,
        verbose_name="areas for improvement",
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Order on the scorecard.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amber_tolerance__gte=0),
                name="indicator_tolerance_not_negative",
                violation_error_message="The amber tolerance cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(decimal_places__lte=4),
                name="indicator_decimal_places_at_most_4",
                violation_error_message="Show at most four decimal places.",
            ),
            models.CheckConstraint(condition=Q(unit__in=Unit.values), name="indicator_unit_valid"),
            models.CheckConstraint(
                condition=Q(good_direction__in=Direction.values),
                name="indicator_direction_valid",
            ),
            models.CheckConstraint(
                condition=Q(frequency__in=Frequency.values), name="indicator_frequency_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("kpis:indicator_detail", args=[self.pk])

    def format(self, value: Decimal | float | None) -> str:
        return format_value(value, unit=self.unit, decimal_places=self.decimal_places)

    def rag_for_value(self, value: Decimal | None) -> str | None:
        return rag_for(
            value=value,
            target=self.target,
            direction=self.good_direction,
            amber_tolerance=self.amber_tolerance,
        )


# Linking an indicator to priorities and areas for improvement is audited too.
IndicatorPriorityLinkEvent = pghistory.create_event_model(
    Indicator.priorities.through, model_name="IndicatorPriorityLinkEvent", abstract=False
)
IndicatorAreaLinkEvent = pghistory.create_event_model(
    Indicator.areas.through, model_name="IndicatorAreaLinkEvent", abstract=False
)


class IndicatorValueQuerySet(models.QuerySet):
    def own(self):
        """The council's own values (no comparator)."""
        return self.filter(comparator__isnull=True)

    def of_comparators(self):
        return self.filter(comparator__isnull=False)

    def up_to(self, on: dt.date | None):
        return self if on is None else self.filter(period_end__lte=on)

    def in_period_order(self):
        return self.order_by("period_end", "pk")


@pghistory.track()
class IndicatorValue(models.Model):
    """One value of an indicator for one period: the council's own (no comparator) or a
    comparator's (England, the region...). One value per indicator, comparator and period."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    comparator = models.ForeignKey(
        Comparator,
        on_delete=models.PROTECT,
        related_name="values",
        null=True,
        blank=True,
        help_text="Empty for the council's own value.",
    )
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(help_text="The last day of the period, or the date counted.")
    period_label = models.CharField(
        max_length=40, blank=True, help_text='How the period is written, for example "2022-23".'
    )
    value = models.DecimalField(max_digits=14, decimal_places=4)
    source = models.CharField(max_length=250, blank=True)
    note = models.TextField(blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IndicatorValueQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "period_end", "comparator__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "comparator", "period_end"],
                nulls_distinct=False,
                name="one_value_per_indicator_comparator_period",
                violation_error_message="There is already a value for this period.",
            ),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True) | Q(period_start__lte=F("period_end")),
                name="indicator_value_period_start_not_after_end",
                violation_error_message="The period cannot start after it ends.",
            ),
        ]
        indexes = [models.Index(fields=["indicator", "-period_end"], name="value_latest_idx")]

    def __str__(self) -> str:
        who = self.comparator.name if self.comparator else "Council"
        return f"{self.indicator_id} {who} {self.period_name}: {self.value}"

    @property
    def display(self) -> str:
        return self.indicator.format(self.value)

    @property
    def period_name(self) -> str:
        return self.period_label or f"{self.period_end:%-d %b %Y}"
