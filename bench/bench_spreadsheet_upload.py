"""The worst small spreadsheet: how long uploading it and viewing its column page take.

Builds a ~48 KB .xlsx of 10 sheets whose cells point at huge shared strings (a few thousand
strings of tens of kilobytes each, which deflate shrinks about a thousand times), the file
the probing of issue 15 used. None of its sheets looks like an action plan, so the upload
tries every one. Then the same shape with just under the limit of text a workbook may hold
(imports.spreadsheets.MAX_SHARED_STRINGS_BYTES). For each, as an improvement lead on a
database of its own: uploads it, and opens the column-mapping page three times. Prints the
times, the peak memory Python allocated during the upload, and the outcome (refused, or accepted).
Everything it creates is rolled back.

    .venv/bin/python bench/bench_spreadsheet_upload.py
"""

from __future__ import annotations

import io
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._django import setup  # noqa: E402

SHEETS = 10


def _workbook_xml(sheets: int) -> bytes:
    entries = "".join(
        f'<sheet name="Sheet{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, sheets + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f"<sheets>{entries}</sheets></workbook>"
    ).encode()


def worst_case_xlsx(
    *, sheets: int = SHEETS, strings: int = 400, length: int = 80_000, rows: int = 50
) -> bytes:
    """A valid workbook: every sheet has `rows` rows of one cell, each a different huge
    shared string (so no sheet has a row of headings)."""
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    ct = "http://schemas.openxmlformats.org/package/2006/content-types"
    sml = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{sml}.worksheet+xml"/>'
        for i in range(1, sheets + 1)
    )
    parts = {
        "[Content_Types].xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{ct}">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{sml}.sheet.main+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{sml}.sharedStrings+xml"/>'
            f"{overrides}</Types>"
        ).encode(),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ).encode(),
        "xl/workbook.xml": _workbook_xml(sheets),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{rel}/worksheet" '
                f'Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, sheets + 1)
            )
            + f'<Relationship Id="rId{sheets + 1}" Type="{rel}/sharedStrings" '
            'Target="sharedStrings.xml"/></Relationships>'
        ).encode(),
    }
    body = "".join(f"<si><t>{'A' * length}{i}</t></si>" for i in range(strings))
    parts["xl/sharedStrings.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{ns}" count="{strings}" '
        f'uniqueCount="{strings}">{body}</sst>'
    ).encode()
    for sheet in range(1, sheets + 1):
        cells = "".join(
            f'<row r="{r}"><c r="A{r}" t="s"><v>{(sheet * rows + r) % strings}</v></c></row>'
            for r in range(1, rows + 1)
        )
        parts[f"xl/worksheets/sheet{sheet}.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}">'
            f"<sheetData>{cells}</sheetData></worksheet>"
        ).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return buffer.getvalue()


class Rollback(Exception):
    pass


def main() -> None:
    setup("improve_sec_bench")
    from django.db import transaction
    from django.test import Client
    from django.urls import reverse

    from accounts.models import Role
    from tests.factories import UserFactory

    cases = [
        ("worst case", worst_case_xlsx()),
        # The most text a workbook may hold: 15 MB of shared strings, 10 sheets.
        ("largest accepted", worst_case_xlsx(strings=190, length=80_000)),
    ]
    try:
        with transaction.atomic():
            lead = UserFactory(role=Role.IMPROVEMENT_LEAD)
            client = Client()
            client.force_login(lead)
            client.get(reverse("imports:action_plan_upload"))  # warm: middleware, templates
            for label, data in cases:
                measure(client, lead, label, data)
            raise Rollback
    except Rollback:
        pass


def measure(client, lead, label: str, data: bytes) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from imports.models import PendingUpload

    unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    print(
        f"{label}: {len(data) / 1024:.0f} KB, {SHEETS} sheets, unpacks to {unpacked / 2**20:.0f} MB"
    )

    def upload():
        return client.post(
            reverse("imports:action_plan_upload"),
            {"spreadsheet": SimpleUploadedFile("plan.xlsx", data)},
        )

    # Memory first (tracemalloc slows Python down), then the time without it.
    tracemalloc.start()
    upload()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    PendingUpload.objects.filter(uploaded_by=lead).delete()
    start = time.perf_counter()
    response = upload()
    seconds = time.perf_counter() - start
    outcome = "accepted" if response.status_code == 302 else f"refused ({response.status_code})"
    print(f"  upload: {seconds:.2f} s, {outcome}, peak Python memory {peak / 2**20:.0f} MB")
    pending = PendingUpload.objects.filter(uploaded_by=lead).first()
    if pending is not None:
        url = reverse("imports:action_plan_columns", args=[pending.pk])
        times = []
        for _ in range(3):
            start = time.perf_counter()
            status = client.get(url).status_code
            times.append(time.perf_counter() - start)
        print("  column page: " + ", ".join(f"{t:.2f} s" for t in times) + f" (HTTP {status})")
        pending.delete()


if __name__ == "__main__":
    main()
