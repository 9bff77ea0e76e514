"""Indicator values from a CSV file: reading the file into rows, checking every row, and
handing the values to kpis.services.indicator_values_save, all or none.

The file's problems are listed per row and column (CsvImportError), up to
IMPORT_MAX_ERRORS_SHOWN of them; nothing is saved while any remain.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.utils import timezone

from accounts import permissions
from core import uploads
from kpis.models import Comparator, Indicator, IndicatorValue
from kpis.services import ImportResult, indicator_values_save

IMPORT_MAX_ROWS = 5000
IMPORT_MAX_ERRORS_SHOWN = 200
IMPORT_REQUIRED_COLUMNS = ["indicator", "period_end", "value"]
IMPORT_OPTIONAL_COLUMNS = ["comparator", "period_start", "period", "source", "note"]
IMPORT_DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


@dataclass(frozen=True)
class RowError:
    """A problem with one cell (row is the spreadsheet row: the header is row 1), or with
    the whole file (row None)."""

    row: int | None
    column: str
    message: str


class CsvImportError(Exception):
    """The file was refused. Nothing was saved."""

    def __init__(self, errors: list[RowError], more: int = 0):
        self.errors = errors
        self.more = more
        super().__init__(f"{len(errors) + more} problem(s) in the file; nothing was saved.")


def _who(comparator: Comparator | None) -> str:
    return comparator.name if comparator else "the council"


def _parse_date(text: str) -> dt.date:
    for fmt in IMPORT_DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError


def _parse_number(text: str) -> Decimal:
    cleaned = text.replace(",", "").replace("£", "").replace("%", "").replace(" ", "")
    number = Decimal(cleaned)  # InvalidOperation for anything that is not a number
    if not number.is_finite():
        raise InvalidOperation
    return number


def _read_rows(data: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Headers (normalised) and (spreadsheet row number, cells) for each non-blank row."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CsvImportError(
            [
                RowError(
                    None,
                    "",
                    "The file is not UTF-8 text. In Excel choose Save as, then "
                    "'CSV UTF-8 (Comma delimited)'.",
                )
            ]
        ) from error
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if not header:
            raise CsvImportError([RowError(None, "", "The file is empty.")])
        headers = [h.strip().lower().replace(" ", "_") for h in header]
        rows: list[tuple[int, dict[str, str]]] = []
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) == IMPORT_MAX_ROWS:
                raise CsvImportError(
                    [
                        RowError(
                            None,
                            "",
                            f"The file has more than {IMPORT_MAX_ROWS:,} rows. "
                            "Split it into smaller files.",
                        )
                    ]
                )
            padded = cells + [""] * (len(headers) - len(cells))
            rows.append((number, dict(zip(headers, (c.strip() for c in padded), strict=False))))
    except csv.Error as error:
        raise CsvImportError(
            [RowError(reader.line_num, "", f"This row could not be read as CSV: {error}.")]
        ) from error
    return headers, rows


def _check_headers(headers: list[str]) -> list[RowError]:
    errors = []
    known = IMPORT_REQUIRED_COLUMNS + IMPORT_OPTIONAL_COLUMNS
    for name in IMPORT_REQUIRED_COLUMNS:
        if name not in headers:
            errors.append(RowError(None, name, f"The file has no '{name}' column."))
    for name in headers:
        if name not in known:
            errors.append(
                RowError(
                    None,
                    name,
                    f"Unknown column '{name}'. The columns are: {', '.join(known)}.",
                )
            )
    duplicated = {h for h in headers if headers.count(h) > 1}
    for name in sorted(duplicated):
        errors.append(RowError(None, name, f"The column '{name}' appears more than once."))
    return errors


def indicator_values_import(*, user, data: bytes, replace: bool = False) -> ImportResult:
    """Import indicator values from CSV: all rows or none, saved by
    kpis.services.indicator_values_save.

    Columns: indicator (code or name), period_end, value (required); comparator (empty for
    the council's own value), period_start, period (label), source, note. Dates as
    2023-03-31 or 31/03/2023; values may carry %, £ and thousands commas. Every row is
    checked before anything is written; any problem refuses the whole file with a list of
    row-level errors (CsvImportError). A value already recorded for the same indicator,
    comparator and period is an error unless `replace` is true.
    """
    if not permissions.can_import_indicator_values(user):
        raise PermissionDenied("Only officers and improvement leads can import values.")
    if len(data) > settings.IMPORT_MAX_CSV_BYTES:
        raise CsvImportError(
            [
                RowError(
                    None,
                    "",
                    "The file is larger than "
                    f"{uploads.format_size(settings.IMPORT_MAX_CSV_BYTES)}. "
                    "Split it into smaller files.",
                )
            ]
        )
    headers, rows = _read_rows(data)
    errors = _check_headers(headers)
    if errors:
        raise CsvImportError(errors)
    if not rows:
        raise CsvImportError([RowError(None, "", "The file has a header but no values.")])

    indicators = list(Indicator.objects.select_related("owner"))
    by_key = {i.code.lower(): i for i in indicators} | {i.name.lower(): i for i in indicators}
    comparators = {c.name.lower(): c for c in Comparator.objects.all()}
    comparator_names = ", ".join(c.name for c in comparators.values()) or "none set up yet"

    errors = []
    parsed: list[tuple[int, IndicatorValue]] = []
    seen: dict[tuple, int] = {}
    for number, cells in rows:
        row_errors: list[RowError] = []

        def error(column: str, message: str, _number=number, _errors=row_errors) -> None:
            _errors.append(RowError(_number, column, message))

        indicator = None
        key = cells.get("indicator", "")
        if not key:
            error("indicator", "Give the indicator's code or name.")
        elif (indicator := by_key.get(key.lower())) is None:
            error(
                "indicator",
                f"Unknown indicator '{key}'. Use an indicator's code or its name exactly.",
            )
        elif not permissions.can_enter_indicator_values(user, indicator):
            error(
                "indicator",
                f"You cannot enter values for '{indicator.name}': only its owner "
                f"({indicator.owner.display_name}) or an improvement lead can.",
            )

        comparator = None
        if name := cells.get("comparator", ""):
            comparator = comparators.get(name.lower())
            if comparator is None:
                error(
                    "comparator",
                    f"Unknown comparator '{name}'. Known comparators: {comparator_names}. "
                    "Leave it empty for the council's own value.",
                )

        period_end = period_start = None
        for column in ("period_end", "period_start"):
            text = cells.get(column, "")
            if not text:
                if column == "period_end":
                    error(column, "Give the date the period ends, for example 2023-03-31.")
                continue
            try:
                parsed_date = _parse_date(text)
            except ValueError:
                error(column, f"'{text}' is not a date. Use 2023-03-31 or 31/03/2023.")
                continue
            if column == "period_end":
                period_end = parsed_date
            else:
                period_start = parsed_date
        if period_start and period_end and period_start > period_end:
            error("period_start", "The period cannot start after it ends.")

        value = None
        text = cells.get("value", "")
        if not text:
            error("value", "Give a value.")
        else:
            try:
                value = _parse_number(text)
            except InvalidOperation:
                error("value", f"'{text}' is not a number.")
            else:
                exponent = value.as_tuple().exponent
                if isinstance(exponent, int) and exponent < -4:
                    error("value", f"'{text}' has more than 4 decimal places.")
                elif abs(value) >= 10**10:
                    error("value", f"'{text}' is too large.")

        label = cells.get("period", "")
        if len(label) > 40:
            error("period", "The period label must be 40 characters or fewer.")
        source = cells.get("source", "")
        if len(source) > 250:
            error("source", "The source must be 250 characters or fewer.")

        if indicator and period_end and not row_errors:
            identity = (indicator.pk, comparator.pk if comparator else None, period_end)
            if identity in seen:
                error(
                    "period_end",
                    f"Row {seen[identity]} already has a value for {indicator.name}, "
                    f"{_who(comparator)}, period ending {period_end:%-d %B %Y}.",
                )
            else:
                seen[identity] = number

        if row_errors:
            errors.extend(row_errors)
            continue
        assert period_end is not None and value is not None  # else the row had errors
        parsed.append(
            (
                number,
                IndicatorValue(
                    indicator=indicator,
                    comparator=comparator,
                    period_start=period_start,
                    period_end=period_end,
                    period_label=label,
                    value=value,
                    source=source,
                    note=cells.get("note", ""),
                    entered_by=user,
                ),
            )
        )

    existing = _existing_values(parsed)
    to_update = []
    for number, item in parsed:
        found = existing.get((item.indicator_id, item.comparator_id, item.period_end))
        if found is None:
            continue
        if not replace:
            errors.append(
                RowError(
                    number,
                    "period_end",
                    f"{item.indicator.name} already has a value for {_who(item.comparator)} "
                    f"for the period ending {item.period_end:%-d %B %Y} "
                    f"({item.indicator.format(found.value)}). Remove this row, or choose to "
                    "replace values already recorded.",
                )
            )
            continue
        item.pk = found.pk
        item.created_at = found.created_at
        item.updated_at = timezone.now()
        to_update.append(item)

    if errors:
        errors.sort(key=lambda e: e.row or 0)
        shown = errors[:IMPORT_MAX_ERRORS_SHOWN]
        raise CsvImportError(shown, more=len(errors) - len(shown))

    to_create = [item for _, item in parsed if item.pk is None]
    try:
        return indicator_values_save(user=user, new=to_create, replacing=to_update)
    except IntegrityError as clash:
        raise CsvImportError(
            [
                RowError(
                    None,
                    "",
                    "Someone else saved values for the same periods while the file was "
                    "being imported. Nothing was saved: import the file again.",
                )
            ]
        ) from clash


def _existing_values(parsed: list[tuple[int, IndicatorValue]]) -> dict[tuple, IndicatorValue]:
    """Values already recorded for the parsed rows' indicators, comparators and periods."""
    if not parsed:
        return {}
    wanted = {(i.indicator_id, i.comparator_id, i.period_end) for _, i in parsed}
    candidates = IndicatorValue.objects.filter(
        indicator_id__in={key[0] for key in wanted}, period_end__in={key[2] for key in wanted}
    )
    return {
        key: v
        for v in candidates
        if (key := (v.indicator_id, v.comparator_id, v.period_end)) in wanted
    }
