"""Reading and writing spreadsheets (.xlsx and .csv) safely.

Reading decides the format by content (magic bytes, see core.uploads), not by the file
name, and refuses with a message a person can act on: too big, too many rows, an old .xls,
a password-protected or damaged workbook, a zip bomb. Writing neutralises cells that a
spreadsheet program would run as a formula (OWASP "CSV injection"), and reading undoes
exactly that, so a round trip through export and import gives back the same text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from core import uploads

MAX_COLUMNS = 100
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # a workbook that unzips to more is refused
# Checked in the zip's directory before anything is parsed: openpyxl reads every shared string
# (the text of all sheets) when it opens a workbook, and each sheet's XML holds its cells.
# A 10,000-row plan with long text in every column needs well under these.
MAX_SHARED_STRINGS_BYTES = 16 * 1024 * 1024
MAX_SHEET_XML_BYTES = 64 * 1024 * 1024
PEEK_ROWS = 70  # enough to find a sheet's headings (see imports.action_plan.guess_header_row)
MAX_SHEETS_TRIED = 10
EMPTY_ROWS_ENOUGH = 500  # after this many empty rows in a row, the data has ended
# A spreadsheet program runs a cell starting with one of these as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class SpreadsheetError(Exception):
    """The file cannot be read as a spreadsheet. The message is shown to the user."""


@dataclass
class Sheet:
    """The cells of one worksheet: values are str, int, float, date, datetime or None.
    A number formatted as a percentage arrives as text, '45%'."""

    name: str
    rows: list[list[object]]
    sheet_names: list[str]
    truncated: bool = False

    def as_json(self) -> dict:
        """Plain JSON, to keep the parsed sheet instead of reading the file again."""
        return {
            "name": self.name,
            "sheet_names": self.sheet_names,
            "rows": [[_cell_json(v) for v in row] for row in self.rows],
        }

    @classmethod
    def from_json(cls, data: dict) -> Sheet:
        return cls(
            name=data["name"],
            sheet_names=data["sheet_names"],
            rows=[[_cell_from_json(v) for v in row] for row in data["rows"]],
        )


def _cell_json(value: object) -> object:
    if isinstance(value, dt.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _cell_from_json(value: object) -> object:
    if isinstance(value, dict):
        if "datetime" in value:
            return dt.datetime.fromisoformat(value["datetime"])
        return dt.date.fromisoformat(value["date"])
    return value


def read_sheet(
    data: bytes,
    *,
    filename: str = "",
    sheet_name: str | None = None,
    max_rows: int,
    max_bytes: int,
    choose: Callable[[list[list[object]]], bool] | None = None,
) -> Sheet:
    """Read one worksheet of an .xlsx file (the named one; else the first of the first ten
    whose first rows `choose` accepts; else the first), or a CSV file. The workbook is opened
    once, in openpyxl's streaming mode, and only the sheet returned is read to the end."""
    name = f"“{filename}”" if filename else "The file"
    if not data.strip():
        raise SpreadsheetError(f"{name} is empty. Choose the action plan spreadsheet.")
    if len(data) > max_bytes:
        raise SpreadsheetError(
            f"{name} is {uploads.format_size(len(data))}, which is over the "
            f"{uploads.format_size(max_bytes)} limit. "
            "Delete unused sheets, pictures and empty formatted rows, or save it as CSV."
        )
    kind = uploads.sniff(data)
    if kind == uploads.ZIP:
        return _read_xlsx(data, name, sheet_name, max_rows, choose)
    if kind == uploads.OLE:
        raise SpreadsheetError(
            f"{name} is an old-style Excel file (.xls) or a password-protected workbook. "
            "Remove any password and save it as an Excel Workbook (.xlsx) or as CSV."
        )
    if kind is not None:  # a PDF, a picture, an RTF document
        raise SpreadsheetError(
            f"{name} is not a spreadsheet. Choose an Excel workbook (.xlsx) or a CSV file."
        )
    return _read_csv(data, name, max_rows)


def _read_xlsx(
    data: bytes,
    name: str,
    sheet_name: str | None,
    max_rows: int,
    choose: Callable[[list[list[object]]], bool] | None,
) -> Sheet:
    damaged = (
        f"{name} looks like an Excel workbook but it is damaged, so it can’t be read. "
        "Open it in Excel, save it again as .xlsx, and upload that."
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise SpreadsheetError(damaged) from exc
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names:
        what = "a Word document" if "word/document.xml" in names else "a zip file"
        if "mimetype" in names and b"opendocument.spreadsheet" in archive.read("mimetype"):
            what = "an OpenDocument spreadsheet (.ods)"
        raise SpreadsheetError(
            f"{name} is {what}, not an Excel workbook. Save the plan as .xlsx or CSV."
        )
    if sum(member.file_size for member in members) > MAX_UNZIPPED_BYTES:
        raise SpreadsheetError(
            f"{name} unpacks to more than {uploads.format_size(MAX_UNZIPPED_BYTES)}, "
            "far more than a plan needs. "
            "Save just the plan's sheet as CSV and upload that."
        )
    _refuse_oversized_parts(members, name)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on malformed workbooks
        raise SpreadsheetError(damaged) from exc
    try:
        sheet_names = list(workbook.sheetnames)
        if not sheet_names:
            raise SpreadsheetError(f"{name} has no worksheets.")
        try:
            chosen = _choose_sheet(workbook, sheet_names, sheet_name, choose)
            rows = _sheet_rows(workbook[chosen], chosen, max_rows=max_rows)
        except SpreadsheetError:
            raise
        except Exception as exc:
            raise SpreadsheetError(damaged) from exc
    finally:
        workbook.close()
    return Sheet(name=chosen, rows=_trim(rows), sheet_names=sheet_names)


def _refuse_oversized_parts(members: list[zipfile.ZipInfo], name: str) -> None:
    """Shared strings and sheets larger than any plan needs, from the zip's directory
    (a member never unpacks to more than the size it declares there)."""
    for member in members:
        part = member.filename.lower()
        if part.endswith("sharedstrings.xml") and member.file_size > MAX_SHARED_STRINGS_BYTES:
            raise SpreadsheetError(
                f"{name} holds {uploads.format_size(member.file_size)} of text, more than the "
                f"{uploads.format_size(MAX_SHARED_STRINGS_BYTES)} an action plan needs. "
                "Save just the plan's "
                "sheet as CSV and upload that."
            )
        if part.startswith("xl/worksheets/") and member.file_size > MAX_SHEET_XML_BYTES:
            raise SpreadsheetError(
                f"{name} has a sheet of {uploads.format_size(member.file_size)}, "
                "far more than a plan needs. "
                "Save just the plan's sheet as CSV and upload that."
            )


def _choose_sheet(workbook, sheet_names, sheet_name, choose) -> str:
    if sheet_name in sheet_names:
        return sheet_name
    if choose is not None:
        for candidate in sheet_names[:MAX_SHEETS_TRIED]:
            first_rows = _sheet_rows(workbook[candidate], candidate, max_rows=PEEK_ROWS, peek=True)
            if choose(first_rows):
                return candidate
    return sheet_names[0]


def _sheet_rows(worksheet, sheet: str, *, max_rows: int, peek: bool = False) -> list:
    """The sheet's rows, streamed; with `peek`, just the first `max_rows`."""
    rows: list[list[object]] = []
    empty_run = filled = 0
    for row in worksheet.iter_rows():
        values = [_xlsx_value(cell) for cell in row[: MAX_COLUMNS + 1]]
        if len(values) > MAX_COLUMNS and values[MAX_COLUMNS] not in (None, ""):
            raise SpreadsheetError(
                f"The sheet “{sheet}” has more than {MAX_COLUMNS} columns. "
                "Delete the columns the plan does not need."
            )
        values = values[:MAX_COLUMNS]
        if peek and len(rows) >= max_rows:
            break
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            empty_run += 1
            if empty_run >= EMPTY_ROWS_ENOUGH:
                break
            rows.append([])
            continue
        empty_run = 0
        rows.append(values)
        filled += 1
        if filled > max_rows + 1:
            raise SpreadsheetError(_too_many_rows(sheet, max_rows))
    return rows


def _too_many_rows(sheet: str, max_rows: int) -> str:
    return (
        f"The sheet “{sheet}” has more than {max_rows:,} rows of actions, the most one import "
        "takes. Split it into smaller sheets and import them one after the other."
    )


def _xlsx_value(cell) -> object:
    value = getattr(cell, "value", None)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float) and "%" in (getattr(cell, "number_format", "") or ""):
        return f"{value * 100:g}%"
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime | dt.date | int | float) or value is None:
        return value
    return str(value)  # times, durations: the importer will call them bad values


def _read_csv(data: bytes, name: str, max_rows: int) -> Sheet:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SpreadsheetError(
            f"{name} is not a spreadsheet. Choose an Excel workbook (.xlsx) or a CSV file."
        )
    text = uploads.decode_text(data)
    delimiter = _guess_delimiter(text)
    rows: list[list[object]] = []
    filled = 0
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if len(row) > MAX_COLUMNS and any(cell.strip() for cell in row[MAX_COLUMNS:]):
                raise SpreadsheetError(
                    f"{name} has more than {MAX_COLUMNS} columns. "
                    "Delete the columns the plan does not need."
                )
            row = row[:MAX_COLUMNS]
            rows.append([*row] if any(cell.strip() for cell in row) else [])
            filled += bool(rows[-1])
            if filled > max_rows + 1:
                raise SpreadsheetError(_too_many_rows("CSV", max_rows))
    except csv.Error as exc:
        raise SpreadsheetError(
            f"{name} is not a well-formed CSV file ({exc}). Save it again from Excel as "
            "“CSV UTF-8” and upload that."
        ) from exc
    return Sheet(name="CSV", rows=_trim(rows), sheet_names=["CSV"])


def _guess_delimiter(text: str) -> str:
    """Comma, semicolon (Excel in much of Europe) or tab: whichever splits the first line
    into the most cells. (csv.Sniffer guesses wrong on short or odd files.)"""
    first = next((line for line in text.splitlines()[:20] if line.strip()), "")
    counts = {
        delimiter: len(next(csv.reader([first], delimiter=delimiter), []))
        for delimiter in (",", ";", "\t")
    }
    best = max(counts.values())
    return "," if counts[","] == best else max(counts, key=lambda d: counts[d])


def _trim(rows: list[list[object]]) -> list[list[object]]:
    while rows and not rows[-1]:
        rows.pop()
    return rows


# --- Cells as text -----------------------------------------------------------------------


def neutralise(value: str) -> str:
    """Text a spreadsheet program shows as text, never runs: a cell starting with = + - @ tab
    or carriage return gets a leading apostrophe."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def unneutralise(value: str) -> str:
    """Undo neutralise(): the apostrophe before a formula character is ours, not the text's."""
    if len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


# --- Writing -----------------------------------------------------------------------------


def _csv_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


def write_csv(headings: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """CSV in UTF-8 with a byte-order mark, so Excel opens it with the right characters."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in headings])
    for row in rows:
        writer.writerow([_csv_text(v) for v in row])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def write_xlsx(
    headings: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    sheet_title: str,
    widths: Sequence[int] = (),
) -> bytes:
    """A one-sheet workbook: bold headings, frozen top row, dates as real dates."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=sheet_title[:31])
    for index, width in enumerate(widths, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
    worksheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for heading in headings:
        cell = WriteOnlyCell(worksheet, value=neutralise(heading))
        cell.font = bold
        header.append(cell)
    worksheet.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, str):
                cell = WriteOnlyCell(worksheet, value=neutralise(value))
                # openpyxl would store text starting with "=" as a formula: say it is text.
                cell.data_type = "s"
                if "\n" in value:
                    cell.alignment = wrap
            elif isinstance(value, dt.date):
                cell = WriteOnlyCell(worksheet, value=value)
                cell.number_format = "yyyy-mm-dd"
            else:
                cell = WriteOnlyCell(worksheet, value=value)
            cells.append(cell)
        worksheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
