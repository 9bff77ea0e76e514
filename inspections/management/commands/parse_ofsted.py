"""Read an Ofsted report or letter (PDF or text) and print the draft inspection parsed from it.

    python manage.py parse_ofsted report.pdf
    python manage.py parse_ofsted letter.txt --json
    python manage.py parse_ofsted - --json < letter.txt

With --json, standard output holds exactly one JSON object (see OfstedDraft.as_json_dict, the
format of the hand annotations in tests/fixtures/ofsted/real/ANNOTATING.md);
problems go to standard error and the exit status is non-zero.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from inspections.ofsted_parser import (
    MAX_PDF_BYTES,
    OfstedDocumentError,
    OfstedDraft,
    parse_document,
)

GRADE_LABELS = {
    "outstanding": "Outstanding",
    "good": "Good",
    "requires_improvement": "Requires improvement to be good",
    "inadequate": "Inadequate",
}


class Command(BaseCommand):
    help = "Parse an Ofsted inspection report or visit letter (PDF or text) and print the draft."
    requires_system_checks: list[str] = []  # reads a file; needs no database

    def add_arguments(self, parser):
        parser.add_argument("file", help="PDF or text file to read, or - for standard input")
        parser.add_argument(
            "--json", action="store_true", help="print the draft as one JSON object"
        )

    def handle(self, *args, **options):
        name = options["file"]
        data = self._read(name)
        try:
            draft = parse_document(data, filename=Path(name).name if name != "-" else "")
        except OfstedDocumentError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(draft.as_json_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(format_draft(draft))

    def _read(self, name: str) -> bytes:
        if name == "-":
            return sys.stdin.buffer.read(MAX_PDF_BYTES + 1)
        path = Path(name)
        if not path.exists():
            raise CommandError(f"No such file: {name}")
        if not path.is_file():
            raise CommandError(f"Not a file: {name}")
        try:
            with path.open("rb") as handle:
                # One byte over the limit is enough for the parser to refuse it by size.
                return handle.read(MAX_PDF_BYTES + 1)
        except OSError as error:
            raise CommandError(f"Cannot read {name}: {error.strerror or error}") from error


def format_draft(draft: OfstedDraft) -> str:
    """The draft as a person reads it: one field a line, lists numbered."""

    def value(v) -> str:
        return str(v) if v else "(not found)"

    lines = [
        f"Local authority: {value(draft.local_authority)}",
        f"Type: {value(draft.inspection_type)}",
        f"On site: {value(draft.start_date)} to {value(draft.end_date)}",
        f"Letter or report date: {value(draft.published_date)}",
        f"Inspectors: {', '.join(draft.inspectors) or '(not found)'}",
    ]
    if draft.inspection_type == "focused_visit":
        lines.append(f"Theme: {value(draft.theme)}")
    sections = [
        (
            "Judgements",
            [f"{j.area}: {GRADE_LABELS.get(j.grade, j.grade)}" for j in draft.judgements],
        ),
        ("Areas for priority action", draft.priority_actions),
        ("Areas for improvement", draft.areas_for_improvement),
        ("Areas covered", draft.areas_covered),
    ]
    for heading, items in sections:
        lines.append(f"{heading}: {'none' if not items else ''}".rstrip())
        lines.extend(f"  {number}. {item}" for number, item in enumerate(items, start=1))
    return "\n".join(lines)
