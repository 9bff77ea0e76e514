"""Indicator values from CSV (imports/indicator_values.py): every row checked, all saved or
none, through kpis.services.indicator_values_save."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import F

from imports import indicator_values
from imports.indicator_values import CsvImportError, indicator_values_import
from kpis.models import IndicatorValue
from tests.factories import IndicatorValueFactory

pytestmark = pytest.mark.django_db

HEADER = "indicator,comparator,period_end,period_start,period,value,source,note\n"


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return (header + "\n".join(rows) + "\n").encode()


def errors_of(excinfo) -> list[tuple]:
    return [(e.row, e.column) for e in excinfo.value.errors]


def test_import_saves_council_and_comparator_values(officer, vacancy, england):
    data = csv_bytes(
        "sw-vacancy-rate,,2022-09-30,2021-10-01,2022,29.4%,DfE census,",
        "Social worker vacancy rate,England,30/09/2022,,2022,20.0,DfE census,national",
        'SW-VACANCY-RATE,,2023-08-31,,Aug 2023,"1,029.65",,',
    )
    result = indicator_values_import(user=officer, data=data)
    assert (result.created, result.updated) == (3, 0)
    assert result.indicators == ["Social worker vacancy rate"]
    rows = list(
        IndicatorValue.objects.order_by(
            "period_end", F("comparator").asc(nulls_first=True)
        ).values_list("comparator__name", "period_end", "period_start", "period_label", "value")
    )
    assert rows == [
        (None, dt.date(2022, 9, 30), dt.date(2021, 10, 1), "2022", Decimal("29.4")),
        ("England", dt.date(2022, 9, 30), None, "2022", Decimal("20.0")),
        (None, dt.date(2023, 8, 31), None, "Aug 2023", Decimal("1029.65")),
    ]


def test_every_bad_row_is_reported_and_nothing_is_written(officer, vacancy, england):
    IndicatorValueFactory(indicator=vacancy, period_end=dt.date(2021, 9, 30), value=Decimal(5))
    data = csv_bytes(
        "sw-vacancy-rate,,2020-09-30,,2020,29.0,,",  # row 2: fine
        "sw-vacancy-rate,,2020-02-30,,,29.0,,",  # row 3: no 30 February
        "sw-vacancy-rate,,2019-09-30,,,twenty,,",  # row 4: not a number
        "caseload,,2019-09-30,,,13,,",  # row 5: unknown indicator
        "sw-vacancy-rate,Wales,2019-09-30,,,13,,",  # row 6: unknown comparator
        "sw-vacancy-rate,,2020-09-30,,,30.0,,",  # row 7: repeats row 2
        "sw-vacancy-rate,,2021-09-30,,,21.5,,",  # row 8: already recorded
        "sw-vacancy-rate,,2019-09-30,2020-01-01,,1,,",  # row 9: starts after it ends
        "sw-vacancy-rate,,,,,1,,",  # row 10: no period end
    )
    with pytest.raises(CsvImportError) as excinfo:
        indicator_values_import(user=officer, data=data)
    assert errors_of(excinfo) == [
        (3, "period_end"),
        (4, "value"),
        (5, "indicator"),
        (6, "comparator"),
        (7, "period_end"),
        (8, "period_end"),
        (9, "period_start"),
        (10, "period_end"),
    ]
    messages = [e.message for e in excinfo.value.errors]
    assert messages[0] == "'2020-02-30' is not a date. Use 2023-03-31 or 31/03/2023."
    assert messages[1] == "'twenty' is not a number."
    assert "Unknown indicator 'caseload'" in messages[2]
    assert "Unknown comparator 'Wales'. Known comparators: England." in messages[3]
    assert messages[4].startswith("Row 2 already has a value")
    assert "already has a value for the council" in messages[5]
    assert "(5.0%)" in messages[5]
    assert IndicatorValue.objects.count() == 1  # only the one recorded before


def test_replace_updates_values_already_recorded(officer, vacancy):
    old = IndicatorValueFactory(indicator=vacancy, period_end=dt.date(2021, 9, 30), value=5)
    data = csv_bytes(
        "sw-vacancy-rate,,2021-09-30,,2021,21.5,census,corrected",
        "sw-vacancy-rate,,2022-09-30,,2022,29.4,census,",
    )
    result = indicator_values_import(user=officer, data=data, replace=True)
    assert (result.created, result.updated) == (1, 1)
    old.refresh_from_db()
    assert (old.value, old.note, old.source) == (Decimal("21.5"), "corrected", "census")
    assert IndicatorValue.objects.count() == 2


def test_officer_cannot_import_values_for_someone_elses_indicator(other_officer, vacancy):
    with pytest.raises(CsvImportError) as excinfo:
        indicator_values_import(
            user=other_officer, data=csv_bytes("sw-vacancy-rate,,2022-09-30,,,1,,")
        )
    assert errors_of(excinfo) == [(2, "indicator")]
    assert "only its owner" in excinfo.value.errors[0].message
    assert not IndicatorValue.objects.exists()


def test_board_member_cannot_import(board_member, vacancy):
    with pytest.raises(PermissionDenied):
        indicator_values_import(
            user=board_member, data=csv_bytes("sw-vacancy-rate,,2022-09-30,,,1,,")
        )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (HEADER.encode(), "The file has a header but no values."),
        (b"indicator,value\nx,1\n", "The file has no 'period_end' column."),
        (
            b"indicator,period_end,value,vaule\n",
            "Unknown column 'vaule'. The columns are:",
        ),
        ("indicator,period_end,value\ncafé,2022-01-01,1\n".encode("latin-1"), "not UTF-8"),
    ],
)
def test_whole_file_problems_are_explained(officer, vacancy, data, message):
    with pytest.raises(CsvImportError) as excinfo:
        indicator_values_import(user=officer, data=data)
    assert message in excinfo.value.errors[0].message
    assert excinfo.value.errors[0].row is None


def test_size_and_row_limits(officer, vacancy, monkeypatch, settings):
    monkeypatch.setattr(indicator_values, "IMPORT_MAX_ROWS", 3)
    rows = [f"sw-vacancy-rate,,{2000 + n}-03-31,,,1,," for n in range(4)]
    with pytest.raises(CsvImportError, match="problem"):
        indicator_values_import(user=officer, data=csv_bytes(*rows))
    with pytest.raises(CsvImportError) as excinfo:
        indicator_values_import(user=officer, data=csv_bytes(*rows))
    assert "more than 3 rows" in excinfo.value.errors[0].message
    assert indicator_values_import(user=officer, data=csv_bytes(*rows[:3])).created == 3

    settings.IMPORT_MAX_CSV_BYTES = 100
    with pytest.raises(CsvImportError) as excinfo:
        indicator_values_import(user=officer, data=csv_bytes(*rows))
    assert "larger than" in excinfo.value.errors[0].message
    assert IndicatorValue.objects.count() == 3


def test_a_byte_order_mark_from_excel_is_fine(officer, vacancy):
    data = "\ufeff".encode() + csv_bytes("sw-vacancy-rate,,2022-09-30,,,29.4,,")
    assert indicator_values_import(user=officer, data=data).created == 1
