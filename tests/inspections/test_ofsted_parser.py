"""Tests for inspections.ofsted_parser: plain pytest, no Django and no database.

Fixtures live in tests/fixtures/ofsted: each NAME.txt has NAME.json with the exact draft
expected from it, and some have NAME.pdf (built by build_pdfs.py there) that must give the
same draft through the PDF path. The real Medway letter is a copy of ../shared/seeds
(tests/fixtures/seeds), so the tests run wherever the repository is cloned.
"""

from __future__ import annotations

import json
import random
import zipfile
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest

from inspections.ofsted_parser import (
    GRADES,
    INSPECTION_TYPES,
    MAX_PDF_BYTES,
    Judgement,
    OfstedDocumentError,
    OfstedDraft,
    extract_text,
    parse_document,
    parse_text,
)
from tests.seeds import MEDWAY_LETTER, SEEDS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ofsted"

TEXT_FIXTURES = sorted(p.stem for p in FIXTURES.glob("*.txt"))
PDF_FIXTURES = sorted(p.stem for p in FIXTURES.glob("*.pdf") if p.with_suffix(".json").exists())


def seeded(seed: int) -> random.Random:
    """Repeatable pseudo-random choices for the robustness tests (not for security)."""
    return random.Random(seed)  # noqa: S311


def expected(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def fixture_text(name: str) -> str:
    return (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")


def letter(body: str, title: str = "Monitoring visit to Medway children’s services") -> str:
    return f"12 May 2022\n\nDear Jo\n\n{title}\n\n{body}\n"


# --- the real letter --------------------------------------------------------------------


def test_real_medway_monitoring_letter():
    draft = parse_document(MEDWAY_LETTER.read_bytes(), filename=MEDWAY_LETTER.name)
    assert draft == OfstedDraft(
        local_authority="Medway",
        inspection_type="monitoring_visit",
        start_date=date(2022, 1, 25),
        end_date=date(2022, 1, 26),
        published_date=date(2022, 3, 1),
        inspectors=["Rachel Griffiths", "Andy Waugh"],
        judgements=[],
        areas_for_improvement=[],
        priority_actions=[],
        areas_covered=[
            "Decision-making for children who come into care, including the effectiveness of "
            "pre-proceedings.",
            "Permanence planning for children in care, including all permanence options.",
            "Help and support for children in care in relation to all aspects of their health "
            "and well-being.",
            "The impact of leaders on practice, including quality assurance processes.",
        ],
    )


def test_as_json_dict_of_real_letter():
    data = parse_text(MEDWAY_LETTER.read_text(encoding="utf-8")).as_json_dict()
    assert list(data) == [
        "local_authority",
        "inspection_type",
        "start_date",
        "end_date",
        "published_date",
        "inspectors",
        "theme",
        "judgements",
        "areas_for_improvement",
        "priority_actions",
        "areas_covered",
    ]
    assert data["start_date"] == "2022-01-25"
    assert data["end_date"] == "2022-01-26"
    assert data["published_date"] == "2022-03-01"
    assert json.loads(json.dumps(data)) == data


def test_judgement_table_quoted_in_a_council_report():
    # Seed 002 is a council cabinet report that reproduces the July 2019 judgement table.
    draft = parse_text((SEEDS / "002_3f53b2fb6e379e9a.txt").read_text(encoding="utf-8"))
    assert draft.judgements == [
        Judgement(
            "The impact of leaders on social work practice with children and families",
            "inadequate",
        ),
        Judgement(
            "The experiences and progress of children who need help and protection", "inadequate"
        ),
        Judgement(
            "The experiences and progress of children in care and care leavers",
            "requires_improvement",
        ),
        Judgement("Overall effectiveness", "inadequate"),
    ]
    assert (draft.start_date, draft.end_date) == (date(2019, 7, 15), date(2019, 7, 26))


def test_other_seed_documents_do_not_break_the_parser():
    for path in sorted(SEEDS.glob("*.txt")):
        draft = parse_text(path.read_text(encoding="utf-8"))
        assert_well_formed(draft)
    # The 2023 presentation lists judgements as bullets, not a table: not taken as grades.
    assert parse_text((SEEDS / "003_820acb0ccf36a64e.txt").read_text()).judgements == []


# --- fixtures: every field exactly ---------------------------------------------------------


def test_fixture_set_is_complete():
    assert len(TEXT_FIXTURES) >= 9
    assert all((FIXTURES / f"{name}.json").exists() for name in TEXT_FIXTURES)
    assert set(PDF_FIXTURES) >= {
        "ilacs_standard_2019_medway",
        "ilacs_standard_2023_medway",
        "focused_visit_2022_wexcombe",
        "monitoring_visit_2022_eastmoor",
        "jtai_2022_medway",
    }


@pytest.mark.parametrize("name", TEXT_FIXTURES)
def test_text_fixture(name):
    assert parse_text(fixture_text(name)).as_json_dict() == expected(name)


@pytest.mark.parametrize("name", TEXT_FIXTURES)
def test_text_fixture_uploaded_as_a_file(name):
    data = (FIXTURES / f"{name}.txt").read_bytes()
    assert parse_document(data, filename=f"{name}.txt").as_json_dict() == expected(name)


@pytest.mark.parametrize("name", PDF_FIXTURES)
def test_pdf_fixture(name):
    data = (FIXTURES / f"{name}.pdf").read_bytes()
    # The type comes from the content, not the name.
    assert parse_document(data, filename="report.txt").as_json_dict() == expected(name)


def test_pdf_text_really_comes_from_the_pdf():
    text = extract_text((FIXTURES / "ilacs_standard_2023_medway.pdf").read_bytes())
    assert "Requires improvement" in text
    assert text != fixture_text("ilacs_standard_2023_medway")


def test_pdf_with_restrictions_but_no_open_password_is_read():
    data = (FIXTURES / "encrypted_no_open_password.pdf").read_bytes()
    assert parse_document(data).as_json_dict() == expected("monitoring_visit_2022_eastmoor")


def test_draft_field_types():
    draft = parse_text(fixture_text("ilacs_standard_2019_medway"))
    assert isinstance(draft.start_date, date)
    assert isinstance(draft.judgements[0], Judgement)
    assert draft.judgements[2].grade == "requires_improvement"


# --- errors a person can act on ---------------------------------------------------------


def assert_plain_english(message: str) -> None:
    assert message.endswith(".")
    for jargon in ("Traceback", "pypdf", "Error", "xref", "stream", "None", "bytes", "\n"):
        assert jargon not in message


@pytest.mark.parametrize(
    ("data", "words"),
    [
        pytest.param(b"", "is empty", id="empty"),
        pytest.param(b"  \r\n\t ", "is empty", id="whitespace"),
        pytest.param(b"\xef\xbb\xbf\n\n", "contains no text", id="bom-only"),
        pytest.param(b"%PDF-1.4\n" + b"0" * MAX_PDF_BYTES, "20 MB", id="oversized"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + bytes(200), "picture", id="png"),
        pytest.param(b"\xff\xd8\xff\xe0" + bytes(200), "picture", id="jpeg"),
        pytest.param(bytes(range(256)) * 8, "not a PDF", id="binary"),
        pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"\x00garbage" * 50, "damaged", id="junk"),
    ],
)
def test_unreadable_input(data, words):
    with pytest.raises(OfstedDocumentError) as caught:
        extract_text(data)
    assert words in str(caught.value)
    assert_plain_english(str(caught.value))


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("empty", "is empty"),
        ("encrypted_password", "password-protected"),
        ("corrupt_truncated", "damaged or incomplete"),
        ("scanned_no_text", "no text layer"),
    ],
)
def test_bad_pdf_fixtures(name, words):
    with pytest.raises(OfstedDocumentError) as caught:
        parse_document((FIXTURES / f"{name}.pdf").read_bytes(), filename=f"{name}.pdf")
    message = str(caught.value)
    assert words in message
    assert f"{name}.pdf" in message
    assert "paste" in message
    assert_plain_english(message)


def test_word_document_is_refused_with_advice():
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(OfstedDocumentError, match="Word document"):
        extract_text(buffer.getvalue(), filename="letter.docx")


def test_every_truncation_of_a_pdf_gives_text_or_a_friendly_error():
    data = (FIXTURES / "focused_visit_2022_wexcombe.pdf").read_bytes()
    for cut in range(8, len(data), max(1, len(data) // 40)):
        try:
            extract_text(data[:cut])
        except OfstedDocumentError as exc:
            assert_plain_english(str(exc))


def test_damaged_pdf_bytes_give_text_or_a_friendly_error():
    rng = seeded(7)
    for name in ("ilacs_standard_2023_medway", "monitoring_visit_2022_eastmoor"):
        original = bytearray((FIXTURES / f"{name}.pdf").read_bytes())
        for _ in range(40):
            data = bytearray(original)
            for _ in range(rng.randint(1, 30)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            try:
                parse_document(bytes(data))
            except OfstedDocumentError as exc:
                assert_plain_english(str(exc))


# --- text decoding ------------------------------------------------------------------------


def test_windows_1252_text_is_decoded():
    data = "Monitoring visit to Medway children’s services\n• Item one.".encode("cp1252")
    assert "children’s services" in extract_text(data)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_text_with_byte_order_mark(encoding):
    source = MEDWAY_LETTER.read_text(encoding="utf-8")
    draft = parse_document(source.encode(encoding))
    assert draft == parse_text(source)


# --- the pieces, one variant at a time -----------------------------------------------------

DATE_PHRASES = [
    ("on 25 and 26 January 2022", date(2022, 1, 25), date(2022, 1, 26)),
    ("from 15 to 26 July 2019", date(2019, 7, 15), date(2019, 7, 26)),
    ("on 28 February to 4 March 2022", date(2022, 2, 28), date(2022, 3, 4)),
    ("on 30 November to 2 December 2021", date(2021, 11, 30), date(2021, 12, 2)),
    ("from 27 September to 8 October 2021", date(2021, 9, 27), date(2021, 10, 8)),
    ("from 15 July 2019 to 26 July 2019", date(2019, 7, 15), date(2019, 7, 26)),
    (
        "between 13 and 17 June 2022 and 27 June and 1 July 2022",
        date(2022, 6, 13),
        date(2022, 7, 1),
    ),
    ("from 30 December to 3 January 2022", date(2021, 12, 30), date(2022, 1, 3)),
    ("on 24 October 2019", date(2019, 10, 24), date(2019, 10, 24)),
    ("on Monday 13 June to Friday 17 June 2022", date(2022, 6, 13), date(2022, 6, 17)),
    ("on 13th and 14th March 2023", date(2023, 3, 13), date(2023, 3, 14)),
    ("on 13–17 June 2022", date(2022, 6, 13), date(2022, 6, 17)),
    ("on 2 and\n3 March 2021", date(2021, 3, 2), date(2021, 3, 3)),
]


@pytest.mark.parametrize(("phrase", "start", "end"), DATE_PHRASES)
def test_visit_dates(phrase, start, end):
    draft = parse_text(
        letter(
            "This letter summarises the findings of the monitoring visit to Medway children’s "
            f"services {phrase}. This is the third visit since the local authority was judged "
            "inadequate on 15 March 2019."
        )
    )
    assert (draft.start_date, draft.end_date) == (start, end)


@pytest.mark.parametrize(
    "line",
    ["Inspection dates: 15 to 26 July 2019", "Inspection dates: 15 July 2019 – 26 July 2019"],
)
def test_labelled_inspection_dates(line):
    draft = parse_text(f"Inspection of Medway local authority children’s services\n{line}\n")
    assert (draft.start_date, draft.end_date) == (date(2019, 7, 15), date(2019, 7, 26))


def test_jtai_dates_come_before_the_verb():
    draft = parse_text(fixture_text("jtai_2022_medway"))
    assert (draft.start_date, draft.end_date) == (date(2022, 10, 3), date(2022, 10, 7))


def test_dates_of_earlier_events_are_not_the_visit_dates():
    text = (
        "Monitoring visit to Medway children’s services\n"
        "Since the last inspection on 12 and 13 March 2019, leaders have acted. The report was "
        "published on 1 May 2019.\n"
    )
    draft = parse_text(text)
    assert (draft.start_date, draft.end_date) == (None, None)


@pytest.mark.parametrize(
    ("top", "published"),
    [
        ("3 March 2022", date(2022, 3, 3)),
        ("Friday 3 March 2022", date(2022, 3, 3)),
        ("Published: 3 March 2022", date(2022, 3, 3)),
        ("Date of publication: 3 March 2022", date(2022, 3, 3)),
        ("Publication date 3 Mar 2022", date(2022, 3, 3)),
        ("Ofsted\nwww.gov.uk/ofsted", None),
    ],
)
def test_published_date(top, published):
    text = (
        f"{top}\nDear Jo\nMonitoring visit to Medway children’s services\n"
        "This letter summarises the findings of the monitoring visit to Medway children’s "
        "services on 1 and 2 February 2022.\n4 April 2022\n"
    )
    assert parse_text(text).published_date == published


# The local authority is named as the title prints it, "Council" included when the title says
# so (the rule of the hand annotations in tests/fixtures/ofsted/real/ANNOTATING.md).
@pytest.mark.parametrize(
    ("title", "local_authority", "kind"),
    [
        ("Monitoring visit to Medway children's services", "Medway", "monitoring_visit"),
        ("Monitoring visit of Medway’s children’s services", "Medway", "monitoring_visit"),
        (
            "Inspection of Medway local authority children’s services",
            "Medway",
            "ilacs_standard",
        ),
        ("INSPECTION OF MEDWAY LOCAL AUTHORITY CHILDREN'S SERVICES", "Medway", "ilacs_standard"),
        (
            "Inspection of Windsor and Maidenhead local authority\nchildren’s services",
            "Windsor and Maidenhead",
            "ilacs_standard",
        ),
        (
            "Medway Council\nInspection of children’s social care services",
            "Medway Council",
            "ilacs_standard",
        ),
        (
            "Focused visit to Kent County Council children’s services",
            "Kent County Council",
            "focused_visit",
        ),
        (
            "Focused visit to the London Borough of Hackney children’s services",
            "London Borough of Hackney",
            "focused_visit",
        ),
        (
            "Action planning visit to Stoke-on-Trent City Council children's services",
            "Stoke-on-Trent City Council",
            "action_planning_visit",
        ),
        (
            "Joint targeted area inspection of the multi-agency response to child exploitation "
            "in Bristol",
            "Bristol",
            "jtai",
        ),
        (
            "Joint targeted area inspection of the multi-agency response to\nchildren living "
            "with domestic abuse in\nNorth East Lincolnshire",
            "North East Lincolnshire",
            "jtai",
        ),
    ],
)
def test_title(title, local_authority, kind):
    draft = parse_text(f"{title}\nThis letter sets out what inspectors found.\n")
    assert (draft.local_authority, draft.inspection_type) == (local_authority, kind)


def test_no_title_no_guess():
    draft = parse_text("Some notes about a meeting on 3 March 2022.\n")
    assert (draft.local_authority, draft.inspection_type) == (None, None)


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("Inspection dates: 4 to 8 March 2019", "ilacs_short"),
        ("Inspection dates: 4 to 15 March 2019", "ilacs_standard"),
        ("Inspection dates: 4 to 15 March 2019\nThis was a short inspection.", "ilacs_short"),
        (
            "Inspection dates: 4 to 8 March 2019\nThis standard inspection took place.",
            "ilacs_standard",
        ),
        (
            "Inspection dates: 4 to 15 March 2019\nSince the previous short inspection, leaders "
            "have changed.",
            "ilacs_standard",
        ),
        ("", "ilacs_standard"),
    ],
)
def test_short_or_standard(body, kind):
    text = f"Inspection of Medway local authority children’s services\n{body}\n"
    assert parse_text(text).inspection_type == kind


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (
            "Her Majesty's inspectors for this visit were Rachel Griffiths and Andy Waugh.",
            ["Rachel Griffiths", "Andy Waugh"],
        ),
        ("Inspectors for this visit were Amy Lee and Tom Hart.", ["Amy Lee", "Tom Hart"]),
        ("Lead inspector: Jane Smith\nHer Majesty’s Inspector", ["Jane Smith"]),
        ("Lead inspector: Matt Reed, His Majesty’s Inspector", ["Matt Reed"]),
        (
            "The inspectors were Her Majesty’s Inspectors Jo Bell, Ian Young and Ofsted Inspector "
            "Sam Patel.",
            ["Jo Bell", "Ian Young", "Sam Patel"],
        ),
        (
            "The visit was carried out by Her Majesty’s Inspector Alan O’Connor.",
            ["Alan O’Connor"],
        ),
        ("Yours sincerely\n\nKaty Brown\nHis Majesty’s Inspector", ["Katy Brown"]),
        ("Yours sincerely\nKaty Brown **His Majesty's Inspector**", ["Katy Brown"]),
        ("Yours sincerely\nKaty van der Berg\nOfsted Inspector", ["Katy van der Berg"]),
        ("Inspectors were on site for one week.", []),
    ],
)
def test_inspectors(text, names):
    assert parse_text(letter(text)).inspectors == names


GRADE_TABLES = [
    (
        "Judgement Grade\nThe impact of leaders on social work practice with children and "
        "families Requires improvement to be good\nOverall effectiveness Requires improvement "
        "to be good",
        ["requires_improvement", "requires_improvement"],
    ),
    (
        "Judgement\nGrade\nThe impact of leaders on social work practice with\nchildren and "
        "families\nRequires\nimprovement to\nbe good\nOverall effectiveness\nOutstanding",
        ["requires_improvement", "outstanding"],
    ),
    (
        "Judgement\tGrade\nThe impact of leaders on social work practice with children and "
        "families\tREQUIRES IMPROVEMENT\nOverall effectiveness\tGOOD",
        ["requires_improvement", "good"],
    ),
    (
        # copied line by line from a viewer: label and grade cells interleave
        "Judgement Grade\nThe impact of leaders on social work practice with Requires improvement"
        "\nchildren and families to be good\nOverall effectiveness Good",
        ["requires_improvement", "good"],
    ),
    (
        # extracted column by column
        "Judgement\nThe impact of leaders on social work practice with children and families\n"
        "Overall effectiveness\nGrade\nInadequate\nInadequate",
        ["inadequate", "inadequate"],
    ),
]


@pytest.mark.parametrize(("table", "grades"), GRADE_TABLES)
def test_grade_tables(table, grades):
    text = f"Inspection of Medway local authority children’s services\n{table}\nServices are ok.\n"
    draft = parse_text(text)
    assert [j.area for j in draft.judgements] == [
        "The impact of leaders on social work practice with children and families",
        "Overall effectiveness",
    ]
    assert [j.grade for j in draft.judgements] == grades


def test_grades_quoted_in_prose_are_not_judgements():
    text = (
        "Inspection of Medway local authority children’s services\n"
        "Inspection dates: 17 to 28 July 2023\n"
        "Since the local authority was judged inadequate in August 2019, services have improved."
        "\nThe local authority was judged good at its last inspection.\n"
        "The experiences and progress of children in care: good\n"
        "Children in care are Good at making their views known.\n"
        "Overall effectiveness was judged Inadequate in 2019.\n"
    )
    assert parse_text(text).judgements == []


@pytest.mark.parametrize("name", ["monitoring_visit_2022_eastmoor", "focused_visit_2022_wexcombe"])
def test_visits_have_no_grades_even_when_they_quote_a_table(name):
    text = fixture_text(name).replace(
        "Headline findings",
        "Judgement Grade\nOverall effectiveness Inadequate\nThe impact of leaders on social work "
        "practice with children and families Inadequate\nHeadline findings",
    )
    assert parse_text(text).judgements == []


BULLETS = [
    "•", "●", "▪", "■", "-", "–", "*", "o", "1.", "\uf0b7", "\uf0a7", "\uf076", "\uf0d8",
    "\ufffd", "\x7f", "\x95",
]  # fmt: skip


@pytest.mark.parametrize("bullet", BULLETS)
def test_bullet_glyphs_are_dropped(bullet):
    # Symbol glyphs may touch the text; '-', '*', 'o' and '1.' need a space to be bullets.
    gap = " " if bullet in {"-", "–", "*", "o", "1."} else ""
    body = (
        "Areas covered by the visit\n"
        "Inspectors reviewed the progress made in the following areas:\n"
        f"{bullet} The quality of assessments for children in need (paragraph 12).\n"
        f"{bullet}{gap}The timeliness of strategy discussions, including those held\n"
        "out of hours. (see page 4)\n"
        "This visit was carried out in line with the ILACS framework.\n"
    )
    draft = parse_text(letter(body))
    assert draft.areas_covered == [
        "The quality of assessments for children in need.",
        "The timeliness of strategy discussions, including those held out of hours.",
    ]


@pytest.mark.parametrize(
    ("item", "printed"),
    [
        ("Care plans (paragraph 12)", "Care plans"),
        ("Care plans. (Paragraph 23)", "Care plans."),
        ("Care plans (see paragraphs 12 and 14).", "Care plans."),
        ("Care plans (paras 3–5)", "Care plans"),
        ("Care plans (see page 4)", "Care plans"),
        ("Care plans (see pages 4 and 5)", "Care plans"),
        (
            "Care plans (IROs) for children (aged 16 to 17).",
            "Care plans (IROs) for children (aged 16 to 17).",
        ),
        ("Care plans (paragraph 12) for children.", "Care plans (paragraph 12) for children."),
    ],
)
def test_trailing_cross_references_are_removed(item, printed):
    text = letter(
        f"What needs to improve\n• {item}\nMain findings\n",
        title="Focused visit to Medway children’s services",
    )
    assert parse_text(text).areas_for_improvement == [printed]


@pytest.mark.parametrize(
    "stop",
    [
        "Headline findings",
        "Main findings",
        "Summary",
        "Findings and evaluation of progress",
        "This visit was carried out in line with the inspection of local authority children’s "
        "services (ILACS) framework.",
        "The experiences and progress of children in care: requires improvement to be good",
        "Areas for priority action",
        "Next steps",
        "Yours sincerely",
    ],
)
def test_list_ends_at_next_heading(stop):
    text = letter(
        "What needs to improve in this area of social work practice\n"
        "• The quality of plans.\n"
        "• Supervision records, which do not show\n"
        "how drift is challenged\n"
        f"{stop}\n"
        "Further prose that is not an item. More prose.\n",
        title="Focused visit to Medway children’s services",
    )
    assert parse_text(text).areas_for_improvement == [
        "The quality of plans.",
        "Supervision records, which do not show how drift is challenged",
    ]


def test_priority_actions_and_improvements_are_kept_apart():
    draft = parse_text(fixture_text("focused_visit_2022_wexcombe"))
    assert len(draft.priority_actions) == 2
    assert not set(draft.priority_actions) & set(draft.areas_for_improvement)


def test_lists_without_bullets_one_item_per_line():
    text = letter(
        "What needs to improve\nThe quality of plans\nThe timeliness of visits\n"
        "Supervision\n\nMain findings\nProse.",
        title="Focused visit to Medway children’s services",
    )
    assert parse_text(text).areas_for_improvement == [
        "The quality of plans",
        "The timeliness of visits",
        "Supervision",
    ]


def test_hyphenated_word_split_over_lines_is_rejoined():
    text = letter(
        "What needs to improve\n• Timely decision-\nmaking for children.\nMain findings\n",
        title="Focused visit to Medway children’s services",
    )
    assert parse_text(text).areas_for_improvement == ["Timely decision-making for children."]


# --- robustness ---------------------------------------------------------------------------


def assert_well_formed(draft: OfstedDraft) -> None:
    assert isinstance(draft, OfstedDraft)
    assert draft.inspection_type in (*INSPECTION_TYPES, None)
    for value in (draft.start_date, draft.end_date, draft.published_date):
        assert value is None or isinstance(value, date)
    if draft.start_date and draft.end_date:
        assert draft.start_date <= draft.end_date
    assert draft.local_authority is None or draft.local_authority.strip() == draft.local_authority
    for judgement in draft.judgements:
        assert judgement.grade in GRADES
        assert judgement.area and judgement.area == judgement.area.strip()
    for items in (
        draft.inspectors,
        draft.areas_for_improvement,
        draft.priority_actions,
        draft.areas_covered,
    ):
        assert all(isinstance(item, str) and item and item == item.strip() for item in items)
        assert all("  " not in item and "\n" not in item for item in items)
    json.dumps(draft.as_json_dict())


SAMPLES = [fixture_text(name) for name in TEXT_FIXTURES]
SWAPPABLE = ["•", "●", "▪", "\uf0b7", "\uf0a7", "\x7f", "-", "*"]


@pytest.mark.parametrize("index", range(len(SAMPLES)))
def test_layout_noise_does_not_change_the_result(index):
    """CRLF, trailing blanks, tabs for spaces, other bullet glyphs: the same draft."""
    original = SAMPLES[index]
    baseline = parse_text(original)
    rng = seeded(index)
    for _ in range(15):
        glyph = rng.choice(SWAPPABLE)
        lines = []
        for line in original.split("\n"):
            stripped = line.lstrip()
            if stripped[:1] in "•●▪\uf0b7\uf0a7-" and stripped[1:2] == " ":
                line = f"{glyph} {stripped[2:]}"
            line = line.replace(" ", rng.choice([" ", " ", "  ", "\t", "\u00a0"]))
            lines.append(line + rng.choice(["", " ", "\t", "  "]))
        mutated = rng.choice(["\r\n", "\n", "\r"]).join(lines)
        assert parse_text(mutated) == baseline


def mutate(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 6)):
        action = rng.randrange(9)
        i = rng.randrange(len(lines)) if lines else 0
        if not lines:
            lines = [""]
        if action == 0:
            del lines[i]
        elif action == 1:
            lines.insert(i, lines[i])
        elif action == 2:
            lines[i] = lines[i].upper()
        elif action == 3:
            cut = rng.randrange(len(lines[i]) + 1)
            lines[i : i + 1] = [lines[i][:cut], lines[i][cut:]]
        elif action == 4:
            lines[i] = (
                rng.choice(["\uf0b7 ", "\ufffd", "2", "Page 3 of 9", "\x0c", "\u2028"]) + lines[i]
            )
        elif action == 5:
            noise = "".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(rng.randint(1, 20)))
            lines.insert(i, noise)
        elif action == 6:
            rng.shuffle(lines)
        elif action == 7:
            lines = lines[: rng.randrange(len(lines) + 1)]
        else:
            lines[i] = lines[i].replace(" ", "\t\u00a0")
    return "\r\n".join(lines) if rng.random() < 0.3 else "\n".join(lines)


def test_parse_text_never_fails_on_mangled_documents():
    rng = seeded(2024)
    for _ in range(400):
        draft = parse_text(mutate(rng.choice(SAMPLES), rng))
        assert_well_formed(draft)


def test_parse_text_never_fails_on_random_text():
    rng = seeded(99)
    alphabet = (
        "abc XYZ 0123 .,:;()\n\t•-–’'\x00\x7f\ufffd\uf0b7 Requires improvement Good 12 June 2022"
    )
    for length in (0, 1, 2, 5, 50, 500, 5000):
        for _ in range(20):
            text = "".join(rng.choice(alphabet) for _ in range(length))
            assert_well_formed(parse_text(text))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n\n",
        "What needs to improve",
        "Areas covered by the visit\n•",
        "• \n•\n•",
        "Judgement Grade",
        "Judgement Grade\nGood Good Good",
        "Inspection of",
        "Inspection dates: 31 February 2022 to 30 February 2022",
        "Lead inspector:",
        "(paragraph 1)",
        "Requires\n" * 50,
        "Joint targeted area inspection",
        "9" * 10_000,
    ],
)
def test_parse_text_edge_cases(text):
    assert_well_formed(parse_text(text))


# --- regressions found by trying documents the parser was not written against ---------------


def test_unpunctuated_items_that_lost_their_bullets_and_wrap():
    text = letter(
        "What needs to improve\n"
        "Assessments and plans for children in need, which are not always\n"
        "sufficiently focused on risk\n"
        "Management oversight of the response to children who go missing from\n"
        "Home Office accommodation\n"
        "The timeliness of initial health assessments\n"
        "Main findings\n",
        title="Focused visit to Medway children’s services",
    )
    assert parse_text(text).areas_for_improvement == [
        "Assessments and plans for children in need, which are not always sufficiently focused "
        "on risk",
        "Management oversight of the response to children who go missing from Home Office "
        "accommodation",
        "The timeliness of initial health assessments",
    ]


@pytest.mark.parametrize(
    "item",
    [
        "The effectiveness of the response to 16- and 17-year-olds who present as homeless.",
        "The impact of leaders on practice, including quality assurance processes.",
        "The experiences and progress of disabled children.",
        "Overall, the quality of plans.",
    ],
)
def test_items_that_begin_like_headings_are_kept(item):
    text = letter(
        f"Areas for priority action \n\n{item} \n\nWhat needs to improve in this area of social "
        "work practice? \n\nThe quality of assessments. \n\nMain findings \n",
        title="Focused visit to Wokingham Borough Council children’s services",
    )
    draft = parse_text(text)
    assert draft.priority_actions == [item]
    assert draft.areas_for_improvement == ["The quality of assessments."]
    assert draft.local_authority == "Wokingham Borough Council"


def test_areas_covered_introduced_with_including():
    text = letter(
        "Areas covered by the visit\n"
        "Inspectors reviewed the progress made in the quality of the ‘front door’, including:\n"
        "•\tthe multi-agency safeguarding hub (MASH)\n"
        "•\tthe emergency duty team.\n"
        "This visit was carried out in line with the ILACS framework.\n"
    )
    assert parse_text(text).areas_covered == [
        "the multi-agency safeguarding hub (MASH)",
        "the emergency duty team.",
    ]


def test_labelled_dates_wrapped_over_lines():
    text = (
        "Inspection of City of York Council children’s services\n"
        "Inspection dates: 28 January 2019 to 8\nFebruary 2019\n"
    )
    draft = parse_text(text)
    assert draft.local_authority == "City of York Council"
    assert (draft.start_date, draft.end_date) == (date(2019, 1, 28), date(2019, 2, 8))


def test_ilacs_report_that_mentions_earlier_monitoring_visits_is_still_ilacs():
    # Liverpool's 2018 report: the council's name above the title, "City Council" in the text,
    # and monitoring visits named before any word about this inspection.
    text = (
        "Liverpool\n"
        "Inspection of children’s social care services\n"
        "Inspection dates: 19 November 2018 to 30 November 2018\n"
        "Lead inspector: Jan Edwards\n"
        "Her Majesty’s Inspector\n"
        "Since the last inspection, monitoring visits to Liverpool City Council found that the "
        "monitoring visit recommendations had been acted on.\n"
        "Judgement Grade\n"
        "The impact of leaders on social work practice with children and families Good\n"
        "The experiences and progress of children who need help and protection Good\n"
        "The experiences and progress of children in care and care leavers Good\n"
        "Overall effectiveness Good\n"
    )
    draft = parse_text(text)
    assert draft.inspection_type == "ilacs_standard"
    assert draft.local_authority == "Liverpool"
    assert len(draft.judgements) == 4
    assert draft.inspectors == ["Jan Edwards"]


def test_focused_visit_theme():
    text = letter(
        "This letter summarises the findings of the focused visit to Medway children’s services "
        "on 1 and 2 May 2025.\nInspectors looked at the local authority’s arrangements for the "
        "‘front door.’ This visit was carried out in line with the ILACS framework.",
        title="Focused visit to Medway children’s services",
    )
    assert parse_text(text).theme == "the ‘front door’"
    assert parse_text(letter("Inspectors looked at arrangements.")).theme is None  # not a FV
