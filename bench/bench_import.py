"""How long an action-plan import takes for a 5,000-row sheet.

Builds a 5,000-row .xlsx (2,500 rows matching existing actions, half of those with a new
status and due date, and 2,500 new actions), then times, on the development database:
reading the sheet, the preview (every row checked), the preview page as a lead sees it, the
import itself, and the export of 5,000 actions. Everything it creates is rolled back.

    DATABASE_URL=postgres://... .venv/bin/python bench/bench_import.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medway_improve.settings")

import django  # noqa: E402

django.setup()

import datetime as dt  # noqa: E402

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from actions.models import Action, Priority, Status  # noqa: E402
from imports.action_plan import (  # noqa: E402
    Lookups,
    build_preview,
    export_actions,
    export_headings,
    guess_columns,
)
from imports.action_plan_checks import action_import_upsert  # noqa: E402
from imports.models import PendingUpload  # noqa: E402
from imports.spreadsheets import read_sheet, write_xlsx  # noqa: E402
from inspections.models import AreaForImprovement, Inspection, LocalAuthority  # noqa: E402

ROWS = 5_000
EXISTING = 2_500


class Rollback(Exception):
    pass


def timed(label: str, function, repeat: int = 3):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    print(f"{label:<46} {statistics.median(times):7.3f} s  (median of {repeat})")
    return result, statistics.median(times)


def setup_data(today: dt.date):
    from django.contrib.auth.models import Group

    group = Group.objects.get(name=Role.OFFICER.value)
    people = []
    for n in range(40):
        user, _ = User.objects.get_or_create(
            username=f"bench{n}", defaults={"first_name": "Bench", "last_name": f"Person {n}"}
        )
        user.groups.add(group)
        people.append(user)
    lead, _ = User.objects.get_or_create(username="bench-lead", defaults={"first_name": "Bench"})
    lead.groups.add(Group.objects.get(name=Role.IMPROVEMENT_LEAD.value))
    priorities = [
        Priority.objects.get_or_create(number=900 + n, defaults={"title": f"Bench {n}"})[0]
        for n in range(5)
    ]
    la, _ = LocalAuthority.objects.get_or_create(name="Benchshire")
    inspection = Inspection.objects.create(
        local_authority=la,
        kind="ilacs_standard",
        start_date=dt.date(2011, 3, 1),
        end_date=dt.date(2011, 3, 12),
    )
    areas = AreaForImprovement.objects.bulk_create(
        AreaForImprovement(inspection=inspection, text=f"Bench area {n}", order=n)
        for n in range(1, 11)
    )
    start = today - dt.timedelta(days=100)
    Action.objects.bulk_create(
        Action(
            reference=f"B{n}",
            title=f"Existing bench action {n}",
            priority=priorities[n % 5],
            owner=people[n % 40],
            accountable=people[(n + 1) % 40],
            start_date=start,
            baseline_due_date=start + dt.timedelta(days=200),
            due_date=start + dt.timedelta(days=200),
            status=Status.ON_TRACK,
            percent_complete=30,
        )
        for n in range(EXISTING)
    )
    return lead, people, priorities, areas


def sheet_rows(people, priorities, today: dt.date):
    start = today - dt.timedelta(days=100)
    for n in range(ROWS):
        existing = n < EXISTING
        changed = existing and n % 2 == 0
        yield [
            f"B{n}" if existing else f"N{n}",
            f"Existing bench action {n}"
            if existing
            else f"New bench action {n} with a longer title",
            "A description of what will be done, by whom and how progress is measured.",
            priorities[n % 5].number,
            f"2011/{n % 10 + 1}; 2011/{(n + 3) % 10 + 1}",
            people[n % 40].get_full_name(),
            people[(n + 1) % 40].username,
            start,
            start + dt.timedelta(days=200),
            start + dt.timedelta(days=260 if changed else 200),
            "At risk" if changed else "On track",
            45 if changed else 30,
            None,
            "",
        ]


def main() -> None:
    today = timezone.localdate()
    print(
        f"Import benchmark: {ROWS:,} rows ({EXISTING:,} existing actions, {ROWS - EXISTING:,} new)"
    )
    try:
        with transaction.atomic():
            lead, people, priorities, _areas = setup_data(today)
            data = write_xlsx(
                export_headings(), sheet_rows(people, priorities, today), sheet_title="Plan"
            )
            print(f"{'sheet size':<46} {len(data) / 1024:7.0f} KB")
            sheet, read_time = timed(
                "read the .xlsx (openpyxl, read-only)",
                lambda: read_sheet(data, max_rows=10_000, max_bytes=10 * 1024 * 1024),
            )
            columns = guess_columns(export_headings())

            def preview():
                return build_preview(
                    sheet, header_row=0, columns=columns, today=today, lookups=Lookups.load()
                )

            with CaptureQueriesContext(connection) as queries:
                result = preview()
            counts = result.counts
            print(
                f"{'preview outcome':<46} new {counts['new']}, update {counts['update']}, "
                f"unchanged {counts['unchanged']}, problems {counts['problem']}"
            )
            print(f"{'queries for one preview':<46} {len(queries):7d}")
            _, preview_time = timed("check every row (build_preview)", preview)

            pending = PendingUpload.objects.create(
                kind=PendingUpload.Kind.ACTION_PLAN,
                uploaded_by=lead,
                filename="bench.xlsx",
                content=data,
                details={"sheet": "Plan", "header_row": 0, "columns": columns},
            )
            client = Client(SERVER_NAME="localhost")
            client.force_login(lead)
            url = f"/import/action-plan/{pending.pk}/preview/"
            response, page_time = timed(
                "preview page as the lead sees it (whole request)",
                lambda: client.get(url, {"show": "all"}),
            )
            assert response.status_code == 200, response.status_code
            print(f"{'total: upload read + preview page':<46} {read_time + page_time:7.3f} s")

            def do_import():
                sid = transaction.savepoint()
                outcome = action_import_upsert(
                    user=lead, rows=result.imported, source="bench.xlsx", on=today
                )
                transaction.savepoint_rollback(sid)
                return outcome

            outcome, _ = timed("import all rows (action_import_upsert)", do_import, repeat=1)
            print(
                f"{'import outcome':<46} created {len(outcome.created)}, "
                f"updated {len(outcome.updated)}, unchanged {len(outcome.unchanged)}"
            )
            actions = Action.objects.for_list().filter(reference__startswith="B")
            timed(
                f"export {EXISTING:,} actions as .xlsx",
                lambda: export_actions(actions, file_format="xlsx"),
            )
            timed(
                f"export {EXISTING:,} actions as .csv",
                lambda: export_actions(actions, file_format="csv"),
            )
            print(f"{'rows checked per second':<46} {ROWS / preview_time:7.0f}")
            raise Rollback
    except Rollback:
        print("(everything the benchmark created was rolled back)")


if __name__ == "__main__":
    main()
