"""The audit trail as CSV. Cells that a spreadsheet would run as a formula are defused."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator

from audit.selectors import history_between

HEADER = [
    "Time",
    "Person",
    "Username",
    "Source",
    "Address",
    "Request or task ID",
    "Record type",
    "Record ID",
    "Event",
    "Changes",
    "Data",
]
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def safe_cell(value) -> str:
    """Text a spreadsheet shows as text: a leading formula character gets an apostrophe
    (OWASP's advice on CSV injection)."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def history_csv_rows(start: dt.date, end: dt.date) -> Iterator[str]:
    """The CSV, one line at a time (a byte-order mark first, so Excel reads UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([safe_cell(cell) for cell in cells])
        return buffer.getvalue()

    yield "\ufeff" + line(HEADER)
    for entry in history_between(start, end):
        yield line(
            [
                entry.when.isoformat(timespec="seconds"),
                entry.person_name,
                entry.person.username if entry.person else "",
                entry.source,
                entry.url,
                entry.request_id,
                entry.record_type,
                entry.record_id,
                entry.event,
                entry.changes_text(),
                json.dumps(entry.data, default=str, ensure_ascii=False),
            ]
        )
