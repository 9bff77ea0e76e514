"""Writes to indicators and their values: forms and the CSV import (read and checked in
imports/indicator_values.py) both come through here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404

from accounts import permissions
from audit.context import audit_source
from kpis.models import Comparator, Indicator, IndicatorValue

# --- Indicators -------------------------------------------------------------------------

INDICATOR_FIELDS = [
    "code",
    "name",
    "definition",
    "unit",
    "decimal_places",
    "good_direction",
    "frequency",
    "target",
    "amber_tolerance",
    "owner",
    "order",
]


def _require_manager(user) -> None:
    if not permissions.can_manage_indicators(user):
        raise PermissionDenied("Only improvement leads can set up indicators.")


@transaction.atomic
def indicator_create(*, user, data: dict) -> Indicator:
    """Create an indicator from cleaned form data (fields plus priorities and areas)."""
    _require_manager(user)
    indicator = Indicator(**{name: data[name] for name in INDICATOR_FIELDS if name in data})
    indicator.full_clean()
    indicator.save()
    indicator.priorities.set(data.get("priorities", []))
    indicator.areas.set(data.get("areas", []))
    return indicator


@transaction.atomic
def indicator_update(*, user, pk: int, data: dict) -> Indicator:
    _require_manager(user)
    indicator = Indicator.objects.select_for_update().get(pk=pk)
    for name in INDICATOR_FIELDS:
        if name in data:
            setattr(indicator, name, data[name])
    indicator.full_clean()
    indicator.save()
    if "priorities" in data:
        indicator.priorities.set(data["priorities"])
    if "areas" in data:
        indicator.areas.set(data["areas"])
    return indicator


def indicator_for_entry(*, user, pk: int) -> Indicator:
    """Fetch an indicator the user may enter values for, or raise PermissionDenied (404 if
    missing)."""
    indicator = get_object_or_404(Indicator.objects.select_related("owner"), pk=pk)
    if not permissions.can_enter_indicator_values(user, indicator):
        raise PermissionDenied(
            "Only the indicator's owner or an improvement lead can enter its values."
        )
    return indicator


# --- Values entered in a form -----------------------------------------------------------


def _who(comparator: Comparator | None) -> str:
    return comparator.name if comparator else "the council"


def _duplicate_message(comparator: Comparator | None, period_end: dt.date) -> str:
    return (
        f"There is already a value for {_who(comparator)} for the period ending "
        f"{period_end:%-d %B %Y}. Change that value instead."
    )


@transaction.atomic
def indicator_value_save(
    *,
    user,
    indicator_pk: int,
    value_pk: int | None = None,
    comparator: Comparator | None,
    period_end: dt.date,
    value: Decimal,
    period_start: dt.date | None = None,
    period_label: str = "",
    source: str = "",
    note: str = "",
) -> IndicatorValue:
    """Add a value (value_pk None) or correct one. One value per comparator and period."""
    indicator = indicator_for_entry(user=user, pk=indicator_pk)
    if value_pk is None:
        item = IndicatorValue(indicator=indicator, entered_by=user)
    else:
        item = IndicatorValue.objects.select_for_update().get(pk=value_pk, indicator=indicator)
    item.comparator = comparator
    item.period_start = period_start
    item.period_end = period_end
    item.period_label = period_label.strip()
    item.value = value
    item.source = source.strip()
    item.note = note.strip()
    clash = IndicatorValue.objects.filter(
        indicator=indicator, comparator=comparator, period_end=period_end
    ).exclude(pk=item.pk)
    if clash.exists():
        raise ValidationError({"period_end": [_duplicate_message(comparator, period_end)]})
    item.full_clean(exclude=["indicator", "entered_by"], validate_unique=False)
    item.save()
    return item


@transaction.atomic
def indicator_value_delete(*, user, pk: int) -> Indicator:
    item = IndicatorValue.objects.select_related("indicator").get(pk=pk)
    indicator = indicator_for_entry(user=user, pk=item.indicator_id)
    item.delete()
    return indicator


# --- Imported values (imports/indicator_values.py reads and checks the file) ----------------


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    indicators: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated


def indicator_values_save(
    *, user, new: list[IndicatorValue], replacing: list[IndicatorValue]
) -> ImportResult:
    """Save checked imported values, all or none: `new` are created, `replacing` (their pk set
    to the value already recorded for the same indicator, comparator and period) replace those.
    Raises IntegrityError, having saved nothing, if someone saved values for the same periods
    meanwhile."""
    if not permissions.can_import_indicator_values(user):
        raise PermissionDenied("Only officers and improvement leads can import values.")
    with transaction.atomic(), audit_source("import", kind="indicator values"):
        IndicatorValue.objects.bulk_create(new)
        IndicatorValue.objects.bulk_update(
            replacing,
            [
                "period_start",
                "period_label",
                "value",
                "source",
                "note",
                "entered_by",
                "updated_at",
            ],
        )
    names = sorted({item.indicator.name for item in [*new, *replacing]})
    return ImportResult(created=len(new), updated=len(replacing), indicators=names)
