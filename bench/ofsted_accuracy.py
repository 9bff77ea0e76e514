"""How well the Ofsted parser reads real documents: `make ofsted-accuracy`.

Prints
- accuracy per field over the hand-annotated documents in tests/fixtures/ofsted/real/;
- agreement with the JT-39 scraper's grades over every ILACS report in the corpus
  (tests/fixtures/ofsted/corpus/), and the disagreements not yet explained in
  tests/fixtures/ofsted/jt39_disagreements.csv;
- parse time per document over the whole corpus (median and maximum).

The functions are also what the tests in tests/inspections/test_ofsted_real_documents.py
assert on, so the figures printed here are the figures the tests hold to. No Django needed.
"""

from __future__ import annotations

import csv
import functools
import json
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from inspections.ofsted_parser import OfstedDraft, parse_document, parse_text  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "ofsted"
REAL = FIXTURES / "real"
CORPUS = FIXTURES / "corpus"
JT39_CSV = CORPUS / "jt39_ilacs_grades.csv"
DISAGREEMENTS_CSV = FIXTURES / "jt39_disagreements.csv"

EXACT_FIELDS = (
    "inspection_type",
    "local_authority",
    "start_date",
    "end_date",
    "published_date",
    "inspectors",
    "judgements",
    "theme",
)
LIST_FIELDS = ("areas_for_improvement", "priority_actions")
JT39_FIELDS = {
    "overall": "overall_effectiveness_grade",
    "leaders": "impact_of_leaders_grade",
    "help_and_protection": "help_and_protection_grade",
    "in_care": "in_care_grade",
    "care_leavers": "care_leavers_grade",
}


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def pdf_for(name: str) -> Path:
    """An annotated document's PDF: beside its annotation, else the corpus copy."""
    beside = REAL / f"{name}.pdf"
    return beside if beside.exists() else CORPUS / f"{name}.pdf"


def annotated_names() -> list[str]:
    return sorted(p.stem for p in REAL.glob("*.json"))


@functools.lru_cache(maxsize=256)
def parse_file(path: Path) -> OfstedDraft:
    """Each document is parsed once per process (the tests and the report share it)."""
    return parse_document(path.read_bytes(), filename=path.name)


# --- accuracy over the annotated set -------------------------------------------------------


@dataclass
class FieldScore:
    right: int = 0
    total: int = 0
    wrong: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.right / self.total if self.total else 1.0


def score_annotations(
    names: list[str] | None = None,
) -> tuple[dict[str, FieldScore], dict[str, dict]]:
    """Per field: documents (or list items) right out of the total, and what was wrong."""
    scores = {name: FieldScore() for name in (*EXACT_FIELDS, *LIST_FIELDS)}
    results: dict[str, dict] = {}
    for name in names if names is not None else annotated_names():
        expected = json.loads((REAL / f"{name}.json").read_text(encoding="utf-8"))
        got = parse_file(pdf_for(name)).as_json_dict()
        results[name] = got
        for key in EXACT_FIELDS:
            score = scores[key]
            score.total += 1
            if got[key] == expected.get(key):
                score.right += 1
            else:
                score.wrong.append(f"{name}: expected {expected.get(key)!r}, got {got[key]!r}")
        for key in LIST_FIELDS:
            score = scores[key]
            want = [squash(item) for item in expected.get(key, [])]
            have = [squash(item) for item in got[key]]
            score.total += max(len(want), len(have))
            for i in range(max(len(want), len(have))):
                a = want[i] if i < len(want) else None
                b = have[i] if i < len(have) else None
                if a == b:
                    score.right += 1
                else:
                    score.wrong.append(f"{name} #{i + 1}:\n    expected {a!r}\n    got      {b!r}")
    return scores, results


def score_pasted_text(names: list[str]) -> dict[str, FieldScore]:
    """The paste path: each annotated PDF's flat text (poppler's pdftotext, close to what a
    PDF viewer copies) through parse_text, scored like the PDFs."""
    scores = {name: FieldScore() for name in (*EXACT_FIELDS, *LIST_FIELDS)}
    for name in names:
        expected = json.loads((REAL / f"{name}.json").read_text(encoding="utf-8"))
        text = subprocess.run(
            ["pdftotext", str(pdf_for(name)), "-"], capture_output=True, text=True, check=True
        ).stdout
        got = parse_text(text).as_json_dict()
        for key in EXACT_FIELDS:
            scores[key].total += 1
            scores[key].right += got[key] == expected.get(key)
        for key in LIST_FIELDS:
            want = [squash(item) for item in expected.get(key, [])]
            have = [squash(item) for item in got[key]]
            scores[key].total += max(len(want), len(have))
            scores[key].right += sum(a == b for a, b in zip(want, have, strict=False))
    return scores


# --- agreement with JT-39 ---------------------------------------------------------------------


def _area_key(area: str) -> str | None:
    text = area.lower()
    if "overall effectiveness" in text:
        return "overall"
    if "impact of leaders" in text or "leadership, management and governance" in text:
        return "leaders"
    if "help and protection" in text:
        return "help_and_protection"
    if "children in care and care leavers" in text:
        return "in_care"
    if "care leavers" in text:
        return "care_leavers"
    if "children in care" in text or "children looked after" in text:
        return "in_care"
    return None


def our_grades(draft: OfstedDraft) -> dict[str, str]:
    grades: dict[str, str] = {}
    for judgement in draft.judgements:
        key = _area_key(judgement.area)
        if key and key not in grades:
            grades[key] = judgement.grade
    return grades


def _jt39_value(raw: str) -> str:
    value = raw.strip().lower()
    if value in {"inspection_pre_dates_judgement", "not_reported_post_reform", ""}:
        return ""  # no such judgement in this report
    return value.replace(" ", "_")


def jt39_rows() -> dict[str, dict[str, str]]:
    """JT-39's row for each ILACS report in the corpus, by our file name."""
    index = json.loads((CORPUS / "index.json").read_text(encoding="utf-8"))
    by_source: dict[tuple[str, str], dict[str, str]] = {}
    with JT39_CSV.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            by_source[(row["urn"], row["pdf_filename"])] = row
    rows = {}
    for entry in index:
        if entry["kind"] != "ilacs":
            continue
        folder, filename = entry["source"].split("/")[-2:]
        row = by_source.get((folder.split("_", 1)[0], filename))
        if row is not None:
            rows[entry["file"]] = row
    return rows


def jt39_comparison(
    drafts: dict[str, OfstedDraft] | None = None,
) -> tuple[int, int, list[tuple[str, str, str, str]]]:
    """(grades compared, grades agreeing, disagreements as (file, field, jt39, ours))."""
    compared = agreeing = 0
    disagreements = []
    for file, row in sorted(jt39_rows().items()):
        draft = drafts[file] if drafts and file in drafts else parse_file(CORPUS / file)
        ours = our_grades(draft)
        for key, column in JT39_FIELDS.items():
            theirs = _jt39_value(row[column])
            mine = ours.get(key, "")
            if not theirs and not mine:
                continue
            compared += 1
            if theirs == mine:
                agreeing += 1
            else:
                disagreements.append((file, key, row[column].strip(), mine))
    return compared, agreeing, disagreements


def listed_disagreements() -> dict[tuple[str, str], dict[str, str]]:
    with DISAGREEMENTS_CSV.open(encoding="utf-8", newline="") as handle:
        return {(row["file"], row["field"]): row for row in csv.DictReader(handle)}


# --- the report ---------------------------------------------------------------------------


def main() -> int:
    corpus = sorted(CORPUS.glob("*.pdf"))
    drafts: dict[str, OfstedDraft] = {}
    times: list[float] = []
    failures = []
    for path in corpus:
        started = time.perf_counter()
        try:
            drafts[path.name] = parse_document(path.read_bytes(), filename=path.name)
        except Exception as exc:  # report every failure, not just the first
            failures.append(f"{path.name}: {exc!r}")
        times.append(time.perf_counter() - started)

    names = annotated_names()
    scores, _results = score_annotations(names)
    print(f"Accuracy over {len(names)} hand-annotated documents (tests/fixtures/ofsted/real):")
    for key, score in scores.items():
        unit = "items" if key in LIST_FIELDS else "documents"
        print(f"  {key:24} {score.ratio:7.1%}  ({score.right}/{score.total} {unit})")
    for key, score in scores.items():
        for wrong in score.wrong:
            print(f"  ✗ {key}: {wrong}")

    if shutil.which("pdftotext"):
        print("\nThe same documents as pasted text (pdftotext's flat text through parse_text):")
        for key, score in score_pasted_text(names).items():
            print(f"  {key:24} {score.ratio:7.1%}  ({score.right}/{score.total})")

    compared, agreeing, disagreements = jt39_comparison(drafts)
    reports = len(jt39_rows())
    print(
        f"\nAgreement with JT-39 over {reports} ILACS reports: {agreeing}/{compared} grades "
        f"({agreeing / compared:.1%})"
        if compared
        else "\nNo JT-39 rows matched."
    )
    listed = listed_disagreements() if DISAGREEMENTS_CSV.exists() else {}
    verdicts: dict[str, int] = {}
    for file, key, theirs, mine in disagreements:
        row = listed.get((file, key))
        if row is None or row["jt39"] != theirs or row["ours"] != mine:
            print(f"  unexplained: {file} {key}: JT-39 {theirs!r}, ours {mine!r}")
        else:
            verdicts[row["verdict"]] = verdicts.get(row["verdict"], 0) + 1
    for verdict, count in sorted(verdicts.items()):
        print(f"  disagreements checked against the PDF, {verdict}: {count}")

    print(
        f"\nParse time over {len(corpus)} corpus documents: median "
        f"{statistics.median(times):.2f} s, maximum {max(times):.2f} s"
    )
    if failures:
        print("\nFailed to parse:")
        for failure in failures:
            print(f"  {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
