"""Building spreadsheets for the import tests, and walking the import pages."""

from __future__ import annotations

import csv
import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

HEADINGS = [
    "Reference",
    "Title",
    "Description",
    "Priority",
    "Areas for improvement",
    "Lead officer",
    "Accountable senior manager",
    "Start date",
    "Baseline due date",
    "Due date",
    "Status",
    "Percent complete",
    "Completed date",
    "Evidence",
]


def csv_bytes(rows: list[list[object]], *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[object]], *, title: str = "Plan", extra_sheets=()) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for name in extra_sheets:
        workbook.create_sheet(name).append(["nothing here"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload_sheet(client, content: bytes, name: str = "plan.csv"):
    return client.post(
        reverse("imports:action_plan_upload"),
        {"spreadsheet": SimpleUploadedFile(name, content)},
    )


def fingerprint(page) -> str:
    return re.search(r'name="fingerprint" value="([0-9a-f]{64})"', page.content.decode()).group(1)


def preview_of(client, content: bytes, name: str = "plan.csv"):
    """Upload a sheet whose headings are recognised and return (preview URL, preview page)."""
    response = upload_sheet(client, content, name)
    assert response.status_code == 302, response.content.decode()[:3000]
    url = response["Location"]
    if url.endswith("/columns/"):
        page = client.get(url)
        data = {"sheet": _value(page, "sheet"), "header_row": _value(page, "header_row")}
        for m in re.finditer(
            r'<select name="(column_\d+)".*?</select>', page.content.decode(), re.S
        ):
            chosen = re.search(r'<option value="([^"]*)" selected', m.group())
            data[m.group(1)] = chosen.group(1) if chosen else ""
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:3000]
        url = response["Location"]
    return url, client.get(url)


def _value(page, name: str) -> str:
    html = page.content.decode()
    m = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html)
    return m.group(1)
