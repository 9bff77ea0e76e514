"""A small spreadsheet must not tie up the server (issue 15, item 4): the workbook is opened
once, in streaming mode, oversized text and sheets are refused from the zip's directory
before parsing, and the parsed sheet is kept so later pages never read the file again."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import Workbook

from bench.bench_spreadsheet_upload import worst_case_xlsx
from imports import spreadsheets
from imports.models import PendingUpload
from imports.spreadsheets import SpreadsheetError, read_sheet
from tests.imports.sheets import HEADINGS, upload_sheet

pytestmark = pytest.mark.django_db
LIMITS = {"max_rows": 10_000, "max_bytes": 10 * 1024 * 1024}


@pytest.fixture
def workbook_opens(monkeypatch):
    """Counts how often openpyxl opens a workbook."""
    calls = []
    real = spreadsheets.load_workbook

    def counting(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(spreadsheets, "load_workbook", counting)
    return calls


def plan_behind_cover_sheets(covers: int = 4) -> bytes:
    workbook = Workbook()
    workbook.active.title = "Cover 1"
    workbook.active.append(["Improvement plan"])
    for n in range(2, covers + 1):
        workbook.create_sheet(f"Cover {n}").append(["Notes"])
    plan = workbook.create_sheet("Plan")
    plan.append(HEADINGS)
    plan.append(["A1", "Sample action"] + [""] * (len(HEADINGS) - 2))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_the_worst_case_file_is_refused_before_it_is_parsed(monkeypatch):
    data = worst_case_xlsx()
    assert len(data) < 48 * 1024

    def never(*args, **kwargs):
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(spreadsheets, "load_workbook", never)
    with pytest.raises(SpreadsheetError, match="of text, more than the 16"):
        read_sheet(data, filename="plan.xlsx", **LIMITS)


def test_an_oversized_sheet_is_refused_before_it_is_parsed(monkeypatch):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("xl/workbook.xml", "<workbook/>")
        package.writestr("xl/worksheets/sheet1.xml", b" " * (spreadsheets.MAX_SHEET_XML_BYTES + 1))
    monkeypatch.setattr(spreadsheets, "load_workbook", None)  # would fail if called
    with pytest.raises(SpreadsheetError, match="has a sheet of"):
        read_sheet(buffer.getvalue(), **LIMITS)


def test_the_workbook_is_opened_once_in_streaming_mode_to_find_the_plan(workbook_opens):
    sheet = read_sheet(
        plan_behind_cover_sheets(),
        choose=lambda rows: bool(rows) and rows[0][:2] == HEADINGS[:2],
        **LIMITS,
    )
    assert sheet.name == "Plan"
    assert len(workbook_opens) == 1
    assert workbook_opens[0]["read_only"] is True


def test_uploading_opens_the_workbook_once(as_user, lead, workbook_opens):
    response = upload_sheet(as_user(lead), plan_behind_cover_sheets(), "plan.xlsx")
    assert response.status_code == 302
    assert len(workbook_opens) == 1
    pending = PendingUpload.objects.get()
    assert pending.details["sheet"] == "Plan"
    assert pending.sheet["name"] == "Plan"


def test_later_pages_use_the_rows_kept_at_upload(as_user, lead, workbook_opens):
    client = as_user(lead)
    upload_sheet(client, plan_behind_cover_sheets(), "plan.xlsx")
    pending = PendingUpload.objects.get()
    workbook_opens.clear()
    columns = reverse("imports:action_plan_columns", args=[pending.pk])
    for _ in range(3):
        assert client.get(columns).status_code == 200
    assert client.get(reverse("imports:action_plan_preview", args=[pending.pk])).status_code in (
        200,
        302,
    )
    assert workbook_opens == []
    # Choosing another sheet reads the workbook once more, and keeps that sheet.
    assert client.get(columns, {"sheet": "Cover 1"}).status_code == 200
    assert client.get(columns, {"sheet": "Cover 1"}).status_code == 200
    assert len(workbook_opens) == 1


def test_kept_rows_give_back_dates_and_numbers():
    import datetime as dt

    sheet = spreadsheets.Sheet(
        name="Plan",
        sheet_names=["Plan"],
        rows=[["A1", 3, 2.5, dt.date(2030, 1, 2), dt.datetime(2030, 1, 2, 9, 30), None, "45%"]],
    )
    assert spreadsheets.Sheet.from_json(sheet.as_json()) == sheet
