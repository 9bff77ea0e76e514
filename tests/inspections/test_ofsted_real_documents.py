"""The parser against real published Ofsted documents: plain pytest, no Django.

- tests/fixtures/ofsted/real/: hand annotations (expected `parse_ofsted --json` output) of 40+
  reports and letters, written by reading each PDF (see ANNOTATING.md there);
- tests/fixtures/ofsted/corpus/: all 105 PDFs of ../shared/ofsted-reports, with the JT-39
  scraper's grades; tests/fixtures/ofsted/jt39_disagreements.csv says, for every grade where
  JT-39 and this parser disagree, who is right after reading the PDF.

The scoring is bench/ofsted_accuracy.py's, so `make ofsted-accuracy` prints what these assert.
"""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from bench.ofsted_accuracy import (
    CORPUS,
    EXACT_FIELDS,
    LIST_FIELDS,
    REAL,
    annotated_names,
    jt39_comparison,
    jt39_rows,
    listed_disagreements,
    our_grades,
    parse_file,
    pdf_for,
    score_annotations,
)
from inspections.ofsted_parser import GRADES

CORPUS_FILES = sorted(p.name for p in CORPUS.glob("*.pdf"))
ILACS_FILES = [name for name in CORPUS_FILES if name.startswith("ilacs_")]


@pytest.fixture(scope="module")
def scores():
    return score_annotations()[0]


def test_annotated_set_covers_both_kinds_and_the_years():
    names = annotated_names()
    ilacs = [n for n in names if n.startswith("ilacs_")]
    visits = [n for n in names if n.startswith("focused_visit_")]
    assert len(names) >= 40
    assert len(ilacs) >= 20
    assert len(visits) >= 15
    years = {int(re.search(r"_(\d{4})-", n).group(1)) for n in names}
    assert {2018, 2019, 2020, 2026} <= years
    for name in names:
        assert pdf_for(name).exists(), f"no PDF for {name}"
        expected = json.loads((REAL / f"{name}.json").read_text(encoding="utf-8"))
        assert list(expected) == list(parse_file(pdf_for(name)).as_json_dict())


@pytest.mark.parametrize("key", EXACT_FIELDS)
def test_annotated_fields_are_all_right(scores, key):
    score = scores[key]
    assert score.ratio == 1.0, "\n".join(score.wrong)


@pytest.mark.parametrize("key", LIST_FIELDS)
def test_annotated_list_items_are_at_least_98_percent_exact(scores, key):
    score = scores[key]
    assert score.total > 0
    assert score.ratio >= 0.98, "\n".join(score.wrong)


def test_corpus_is_complete():
    assert len(CORPUS_FILES) == 105
    assert len(ILACS_FILES) == 56
    assert (CORPUS / "README.md").read_text().count("Open Government Licence v3.0") == 1


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_every_corpus_document_parses(name):
    draft = parse_file(CORPUS / name)
    assert draft.local_authority
    assert draft.start_date and draft.end_date and draft.start_date <= draft.end_date
    for judgement in draft.judgements:
        assert judgement.grade in GRADES
    items = [*draft.areas_for_improvement, *draft.priority_actions]
    for item in items:
        assert item == item.strip() and "  " not in item
        assert not re.match(r"[•◼▪●\uf0b7-]", item), item
        assert not re.search(r"(?i)piccadilly gate|M1 2WD|www\.gov\.uk/ofsted", item), item
    if name.startswith("focused_visit_"):
        assert draft.inspection_type == "focused_visit"
        assert draft.judgements == []
        assert draft.published_date is not None
        assert draft.inspectors  # (one 2025 ILACS report names no lead inspector)
    else:
        assert draft.inspection_type in {"ilacs_standard", "ilacs_short"}


@pytest.mark.parametrize("name", ILACS_FILES)
def test_every_ilacs_report_gives_all_its_judgements(name):
    draft = parse_file(CORPUS / name)
    grades = our_grades(draft)
    assert {"leaders", "help_and_protection", "in_care"} <= set(grades), draft.judgements
    separate_care_leavers = any(
        "care leavers" in j.area.lower() and "children in care" not in j.area.lower()
        for j in draft.judgements
    )
    if draft.start_date >= date(2023, 1, 1):
        assert separate_care_leavers
    # The 2026 template drops "Overall effectiveness" (JT-39 marks those reports
    # 'not_reported_post_reform'); the numbered pre-2018 table says it in a sentence instead.
    post_reform = jt39_rows()[name]["overall_effectiveness_grade"] == "not_reported_post_reform"
    numbered_sif = any(j.area.startswith("Leadership, management") for j in draft.judgements)
    assert ("overall" in grades) == (not post_reform and not numbered_sif)


def test_jt39_rows_match_every_ilacs_report():
    assert set(jt39_rows()) == set(ILACS_FILES)


def test_every_jt39_disagreement_is_listed_with_a_verdict():
    _compared, _agreeing, disagreements = jt39_comparison(
        {name: parse_file(CORPUS / name) for name in ILACS_FILES}
    )
    listed = listed_disagreements()
    found = {(file, key): (theirs, mine) for file, key, theirs, mine in disagreements}
    assert set(found) == set(listed), "unlisted or stale rows in jt39_disagreements.csv"
    for key, (theirs, mine) in found.items():
        row = listed[key]
        assert (row["jt39"], row["ours"]) == (theirs, mine), key
        assert row["verdict"] in {"ours", "jt39", "neither"}, key
        assert len(row["reason"]) > 20, key
    # where the list says JT-39 is right, the parser is wrong: none is waved through
    assert all(row["verdict"] == "ours" for row in listed.values())


# --- what the layout reader removes and joins, on the documents that showed each problem ----


def corpus_text(name: str) -> str:
    from inspections.ofsted_parser import extract_text

    return extract_text((CORPUS / name).read_bytes())


def test_footnote_and_its_marker_are_dropped():
    text = corpus_text("ilacs_derby_2025-jul-08.pdf")
    assert "\nWhat needs to improve?\n" in text  # not "improve?1"
    assert "cross-referenced with the outcomes" not in text  # the footnote's text
    draft = parse_file(CORPUS / "ilacs_derby_2025-jul-08.pdf")
    assert draft.areas_for_improvement == [
        "Management oversight of children’s experiences when children are living in the most "
        "complex circumstances and are at risk of prolonged neglect or other ongoing harm. "
        "(Outcome 3)"
    ]


def test_running_header_and_footer_are_dropped_and_items_join_across_pages():
    text = corpus_text("ilacs_derby_2025-jul-08.pdf")
    assert "Inspection of Derby City local authority children’s services" in text  # the title
    assert text.count("Inspection of Derby City local authority children’s services") == 1
    assert "oversight for decision-making when progressing contacts" in text  # page 2 → 3


def test_letterhead_is_dropped_and_square_bullets_are_items():
    text = corpus_text("focused_visit_medway_2025-jun-02.pdf")
    for furniture in ("Piccadilly Gate", "M1 2WD", "enquiries@ofsted.gov.uk", "◼"):
        assert furniture not in text
    draft = parse_file(CORPUS / "focused_visit_medway_2025-jun-02.pdf")
    assert draft.areas_for_improvement == [
        "The quality of assessment and planning.",
        "The timeliness of intervention, including during pre-proceedings, to support prompt "
        "decision-making and inform permanence planning.",
        "The quality and impact of management oversight and supervision to support children’s "
        "experiences improving in a timely way.",
    ]
    assert draft.theme == "children in need or children subject to a child protection plan"


def test_numbered_findings_are_never_areas_for_improvement():
    draft = parse_file(CORPUS / "ilacs_medway_2023-sep-11.pdf")
    assert len(draft.areas_for_improvement) == 4
    assert not any(item[:1].isdigit() for item in draft.areas_for_improvement)
