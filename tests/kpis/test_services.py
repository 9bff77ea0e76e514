import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role
from kpis.models import IndicatorValue
from kpis.services import indicator_value_save
from tests.factories import IndicatorValueFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_form_entry_refuses_a_second_value_for_the_same_period(officer, vacancy, england):
    kwargs = {"user": officer, "indicator_pk": vacancy.pk, "period_end": dt.date(2022, 9, 30)}
    indicator_value_save(comparator=None, value=Decimal("29.4"), **kwargs)
    indicator_value_save(comparator=england, value=Decimal("20.0"), **kwargs)
    with pytest.raises(ValidationError) as excinfo:
        indicator_value_save(comparator=None, value=Decimal("1"), **kwargs)
    assert "already a value for the council" in str(excinfo.value)
    assert IndicatorValue.objects.count() == 2


def test_correcting_a_value_keeps_one_row(officer, vacancy):
    item = IndicatorValueFactory(indicator=vacancy, period_end=dt.date(2022, 9, 30), value=1)
    indicator_value_save(
        user=officer,
        indicator_pk=vacancy.pk,
        value_pk=item.pk,
        comparator=None,
        period_end=dt.date(2022, 9, 30),
        value=Decimal("29.4"),
        note="Corrected from the census",
    )
    item.refresh_from_db()
    assert (item.value, item.note) == (Decimal("29.4"), "Corrected from the census")


def test_only_the_owner_or_a_lead_enters_values(other_officer, lead, vacancy):
    kwargs = {"indicator_pk": vacancy.pk, "comparator": None, "value": Decimal(1)}
    with pytest.raises(PermissionDenied):
        indicator_value_save(user=other_officer, period_end=dt.date(2022, 1, 1), **kwargs)
    indicator_value_save(user=lead, period_end=dt.date(2022, 1, 1), **kwargs)
    with pytest.raises(PermissionDenied):
        indicator_value_save(
            user=UserFactory(role=Role.BOARD_MEMBER), period_end=dt.date(2023, 1, 1), **kwargs
        )
    assert IndicatorValue.objects.count() == 1
