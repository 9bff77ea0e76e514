"""Reading and writing spreadsheets: formats by content, limits, formula neutralisation."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from imports import spreadsheets
from imports.spreadsheets import (
    SpreadsheetError,
    neutralise,
    read_sheet,
    unneutralise,
    write_csv,
    write_xlsx,
)
from tests.imports.sheets import csv_bytes, xlsx_bytes

LIMITS = {"max_rows": 100, "max_bytes": 1024 * 1024}
DANGEROUS = ["=1+2", "+SUM(A1)", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd", '=HYPERLINK("http://x")']


@pytest.mark.parametrize("text", DANGEROUS)
def test_formula_triggers_are_neutralised_and_restored(text):
    assert neutralise(text) == "'" + text
    assert unneutralise(neutralise(text)) == text


@pytest.mark.parametrize("text", ["Plain", "'quoted", "", "1.2", "a=b", "'", "2019/3"])
def test_safe_text_is_left_alone(text):
    assert neutralise(text) == text
    assert unneutralise(text) == text


def test_csv_export_neutralises_cells_and_headings():
    data = write_csv(["=Heading", "B"], [[text, 5] for text in DANGEROUS])
    assert data.startswith(b"\xef\xbb\xbf")
    sheet = read_sheet(data, **LIMITS)
    assert sheet.rows[0] == ["'=Heading", "B"]
    assert [row[0] for row in sheet.rows[1:]] == ["'" + text for text in DANGEROUS]
    assert all(row[0].startswith("'") for row in sheet.rows[1:])


def test_xlsx_export_stores_formula_like_text_as_text():
    data = write_xlsx(
        ["Title", "Due"], [[t, dt.date(2026, 1, 2)] for t in DANGEROUS], sheet_title="Plan"
    )
    workbook = load_workbook(io.BytesIO(data))  # formulas kept, not evaluated
    cells = [row[0] for row in workbook.active.iter_rows(min_row=2)]
    # (XML stores a carriage return as a line feed.)
    assert [c.value for c in cells] == ["'" + t.replace("\r", "\n") for t in DANGEROUS]
    assert {c.data_type for c in cells} == {"s"}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml
    due = workbook.active["B2"]
    assert due.is_date and due.value.date() == dt.date(2026, 1, 2)


def test_xlsx_is_read_by_content_whatever_its_name():
    data = xlsx_bytes([["Title row"], [], ["Reference", "Title"], ["1.1", "Do it"]])
    sheet = read_sheet(data, filename="plan.csv", **LIMITS)
    assert sheet.name == "Plan"
    assert sheet.rows == [["Title row", None], [], ["Reference", "Title"], ["1.1", "Do it"]]


def test_xlsx_percentages_dates_and_booleans():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Percent", "Date", "Flag"])
    sheet.append([0.45, dt.datetime(2026, 3, 1), True])
    sheet["A2"].number_format = "0%"
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = read_sheet(buffer.getvalue(), **LIMITS).rows
    assert rows[1] == ["45%", dt.datetime(2026, 3, 1), "Yes"]


def test_xlsx_chosen_sheet():
    data = xlsx_bytes([["a", "b"]], extra_sheets=["Second"])
    sheet = read_sheet(data, sheet_name="Second", **LIMITS)
    assert sheet.sheet_names == ["Plan", "Second"]
    assert sheet.name == "Second"
    assert sheet.rows == [["nothing here"]]
    assert read_sheet(data, sheet_name="Missing", **LIMITS).name == "Plan"


@pytest.mark.parametrize(
    ("data", "row"),
    [
        (csv_bytes([["Reference", "Title"], ["1", "Café"]]), ["1", "Café"]),
        (csv_bytes([["Reference", "Title"], ["1", "Café"]], delimiter=";"), ["1", "Café"]),
        (csv_bytes([["Reference", "Title"], ["1", "Café"]], encoding="cp1252"), ["1", "Café"]),
        (b"\xef\xbb\xbf" + csv_bytes([["Reference", "Title"], ["1", "Café"]]), ["1", "Café"]),
        (csv_bytes([["Reference", "Title"], ["1", "Café"]], encoding="utf-16"), ["1", "Café"]),
        (csv_bytes([["Reference", "Title"], ["1", "Line\r\nbreak"]]), ["1", "Line\r\nbreak"]),
    ],
)
def test_csv_encodings_and_separators(data, row):
    assert read_sheet(data, **LIMITS).rows == [["Reference", "Title"], row]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, r"old-style Excel file \(.xls\)"),
        (b"%PDF-1.7 rest", "is not a spreadsheet"),
        (b"\x89PNG\r\n\x1a\n....", "is not a spreadsheet"),
        (b"PK\x03\x04 broken zip", "damaged"),
        (b"ab\x00\x00cd\x00\x01" * 20, "is not a spreadsheet"),
    ],
)
def test_files_that_are_not_spreadsheets(data, message):
    with pytest.raises(SpreadsheetError, match=message):
        read_sheet(data, filename="plan.xlsx", **LIMITS)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_word_documents_and_ods_are_named():
    with pytest.raises(SpreadsheetError, match="is a Word document"):
        read_sheet(_zip({"word/document.xml": b"<w/>"}), **LIMITS)
    ods = _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})
    with pytest.raises(SpreadsheetError, match=r"OpenDocument spreadsheet \(.ods\)"):
        read_sheet(ods, **LIMITS)


def test_damaged_workbook(monkeypatch):
    data = _zip({"xl/workbook.xml": b"not xml", "[Content_Types].xml": b"nope"})
    with pytest.raises(SpreadsheetError, match="damaged"):
        read_sheet(data, **LIMITS)


def test_zip_bomb_is_refused(monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_UNZIPPED_BYTES", 1000)
    data = _zip({"xl/workbook.xml": b"<a/>", "xl/big.xml": b"0" * 5000})
    assert len(data) < 1000
    with pytest.raises(SpreadsheetError, match="unpacks to more than"):
        read_sheet(data, **LIMITS)


def test_size_limit():
    with pytest.raises(SpreadsheetError, match="is 3.9 KB, which is over the 100 bytes limit"):
        read_sheet(b"a,b\n" * 1000, max_rows=10_000, max_bytes=100)


@pytest.mark.parametrize("maker", [csv_bytes, xlsx_bytes])
def test_row_limit(maker):
    rows = [["Reference", "Title"]] + [[str(i), "x"] for i in range(11)]
    with pytest.raises(SpreadsheetError, match="more than 10 rows of actions"):
        read_sheet(maker(rows), max_rows=10, max_bytes=10**7)
    assert len(read_sheet(maker(rows[:11]), max_rows=10, max_bytes=10**7).rows) == 11


@pytest.mark.parametrize("maker", [csv_bytes, xlsx_bytes])
def test_column_limit(maker):
    wide = [["h"] * (spreadsheets.MAX_COLUMNS + 1)]
    with pytest.raises(SpreadsheetError, match="more than 100 columns"):
        read_sheet(maker(wide), **LIMITS)


def test_trailing_empty_rows_are_dropped_and_long_runs_end_the_data():
    rows = [["Reference", "Title"], ["1", "a"]] + [[None, None]] * 10 + [["2", "b"]]
    assert read_sheet(xlsx_bytes(rows), **LIMITS).rows[-1] == ["2", "b"]
    many_empty = [["Reference", "Title"], ["1", "a"]] + [[None, "  "]] * 600 + [["2", "b"]]
    sheet = read_sheet(xlsx_bytes(many_empty), max_rows=10, max_bytes=10**7)
    assert sheet.rows[-1] == ["1", "a"]
