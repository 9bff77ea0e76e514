"""Turn an Ofsted children's-services inspection document into a draft record.

Handles ILACS inspection reports (standard and short), focused visit, monitoring visit and
action planning visit letters, and joint targeted area inspection (JTAI) letters published
from 2018 onwards, either as the published PDF or as text pasted from it.

The result is a *draft*: every field is a best guess that a person confirms before saving.
Nothing here needs Django's settings or database. PDFs are read through
``inspections.ofsted_pdf`` (PDFium); what kind of file it is, and how its text is decoded,
come from ``core.uploads``. ``MAX_PDF_BYTES`` is the parser's own ceiling, for the command
line too; uploads through the site are held to IMPORT_MAX_DOCUMENT_BYTES before this.

Public API: ``extract_text``, ``parse_text``, ``parse_document``, ``OfstedDraft``,
``Judgement``, ``OfstedDocumentError`` and ``MAX_PDF_BYTES``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from core import uploads
from inspections.ofsted_pdf import PdfPasswordError, pdf_layout_text

__all__ = [
    "MAX_PDF_BYTES",
    "Judgement",
    "OfstedDocumentError",
    "OfstedDraft",
    "extract_text",
    "parse_document",
    "parse_text",
]

MAX_PDF_BYTES = 20 * 1024 * 1024

INSPECTION_TYPES = (
    "ilacs_standard",
    "ilacs_short",
    "focused_visit",
    "monitoring_visit",
    "action_planning_visit",
    "jtai",
)
GRADES = ("outstanding", "good", "requires_improvement", "inadequate")


class OfstedDocumentError(Exception):
    """The uploaded file cannot be read. The message is shown to the user as it is."""


@dataclass(frozen=True)
class Judgement:
    area: str
    grade: str


@dataclass
class OfstedDraft:
    local_authority: str | None = None
    inspection_type: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    published_date: date | None = None
    inspectors: list[str] = field(default_factory=list)
    judgements: list[Judgement] = field(default_factory=list)
    areas_for_improvement: list[str] = field(default_factory=list)
    priority_actions: list[str] = field(default_factory=list)
    areas_covered: list[str] = field(default_factory=list)
    theme: str | None = None  # a focused visit's theme: what inspectors looked at

    def as_json_dict(self) -> dict:
        def iso(value: date | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "local_authority": self.local_authority,
            "inspection_type": self.inspection_type,
            "start_date": iso(self.start_date),
            "end_date": iso(self.end_date),
            "published_date": iso(self.published_date),
            "inspectors": list(self.inspectors),
            "theme": self.theme,
            "judgements": [{"area": j.area, "grade": j.grade} for j in self.judgements],
            "areas_for_improvement": list(self.areas_for_improvement),
            "priority_actions": list(self.priority_actions),
            "areas_covered": list(self.areas_covered),
        }


# ---------------------------------------------------------------------------
# Bytes -> text
# ---------------------------------------------------------------------------

_PASTE_HINT = "Open the report, copy all of its text and paste it in instead."


def extract_text(data: bytes, *, filename: str = "") -> str:
    """Return the text of a PDF or plain-text file, or raise OfstedDocumentError.

    The file type is decided by its content (a PDF starts with ``%PDF``), not its name.
    A PDF's text comes without page furniture, one paragraph a line where its layout shows
    paragraphs (see inspections.ofsted_pdf).
    """
    return _extract(data, filename)[0]


def _extract(data: bytes, filename: str) -> tuple[str, bool]:
    """The text, and whether it is one paragraph a line (from a PDF's layout)."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("extract_text expects bytes")
    data = bytes(data)
    name = f"“{filename}”" if filename else "The file"
    if not data.strip():
        raise OfstedDocumentError(
            f"{name} is empty. Choose the inspection report PDF, or paste its text."
        )
    if len(data) > MAX_PDF_BYTES:
        size = len(data) / (1024 * 1024)
        raise OfstedDocumentError(
            f"{name} is {size:.1f} MB, which is over the {uploads.format_size(MAX_PDF_BYTES)} "
            "limit. Ofsted reports are usually well under 1 MB: check it is the right file, "
            "or paste the text instead."
        )
    if uploads.has_pdf_header(data):  # the header may follow a little junk
        text, paragraphs = _pdf_text(data, name)
    else:
        text, paragraphs = _plain_text(data, name), False
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    if not text.strip():
        raise OfstedDocumentError(f"{name} contains no text. {_PASTE_HINT}")
    return text, paragraphs


def _pdf_text(data: bytes, name: str) -> tuple[str, bool]:
    corrupt = (
        f"{name} looks like a PDF but it is damaged or incomplete, so it can’t be read. "
        "Download the report from Ofsted again, or paste its text instead."
    )
    try:
        text, page_count, paragraphs = pdf_layout_text(data)
    except PdfPasswordError as exc:
        raise OfstedDocumentError(
            f"{name} is password-protected, so its text can’t be read. "
            "Use the unprotected report from the Ofsted website, or paste its text instead."
        ) from exc
    except Exception as exc:  # PDFium reports damage in several ways
        raise OfstedDocumentError(corrupt) from exc
    letters = sum(ch.isalpha() for ch in text)
    if not page_count or letters < 80 * max(1, page_count):
        raise OfstedDocumentError(
            f"{name} has no text layer (it looks like a scan or a picture of the pages), "
            f"so there is nothing to read. {_PASTE_HINT}"
        )
    visible = [ch for ch in text if not ch.isspace()]
    latin = sum(ch.isascii() and ch.isalnum() for ch in visible)
    if latin < 0.6 * len(visible):
        raise OfstedDocumentError(
            f"The text inside {name} comes out as unreadable symbols (its fonts don’t map to "
            f"letters). {_PASTE_HINT}"
        )
    return text, paragraphs


# What to call a file that is neither a PDF nor text (core.uploads.sniff's kinds).
_NOT_TEXT = {
    uploads.ZIP: "a Word document or a zip file",
    uploads.OLE: "an old-style Word or Excel document",
    uploads.PNG: "a picture (PNG)",
    uploads.JPEG: "a picture (JPEG)",
    uploads.GIF: "a picture (GIF)",
    uploads.TIFF: "a picture (TIFF)",
    uploads.RTF: "a rich-text (RTF) document",
}


def _plain_text(data: bytes, name: str) -> str:
    if what := _NOT_TEXT.get(uploads.sniff(data) or ""):
        raise OfstedDocumentError(
            f"{name} is {what}, not a PDF or plain text. Upload the report as a PDF, "
            "or paste its text instead."
        )
    text = uploads.decode_text(data)
    sample = text[:200_000]
    bad = sum(
        1
        for ch in sample
        if ch == "\ufffd" or (unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v")
    )
    if bad > max(2, len(sample) // 100):
        raise OfstedDocumentError(
            f"{name} is not a PDF or a text document (it looks like some other kind of file). "
            "Upload the report as a PDF, or paste its text instead."
        )
    return text


def parse_document(data: bytes, *, filename: str = "") -> OfstedDraft:
    """Read a PDF or text file and return the draft parsed from it."""
    text, paragraphs = _extract(data, filename)
    return _parse(text, layout=paragraphs)


# ---------------------------------------------------------------------------
# Text clean-up
# ---------------------------------------------------------------------------

_APOS = "['’‘`´]"
_DELETE_CHARS = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_LINE_BREAKS = re.compile(r"\r\n?|[\f\v\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# Bullets drawn with symbol fonts often come out of PDFs as control characters (DEL, or
# Windows-1252 0x95 read as Latin-1): at the start of a line they are a bullet.
_CONTROL_BULLET = re.compile(r"(?m)^([ \t]*)[\x00-\x08\x0e-\x1f\x7f-\x9f]+[ \t]*")
_SPACES = re.compile(r"\s+")


def _clean_lines(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).translate(_DELETE_CHARS)
    text = _LINE_BREAKS.sub("\n", text)
    text = _CONTROL_BULLET.sub(r"\1• ", text)
    text = _CONTROL.sub(" ", text).replace("**", "")
    lines = []
    for raw in text.split("\n"):
        line = _SPACES.sub(" ", raw).strip()
        line = re.sub(r"^#{1,6} ", "", line)  # markdown headings from converted copies
        lines.append(line)
    return lines


def _squash(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?|JANUARY|FEBRUARY|MARCH"
    r"|APRIL|MAY|JUNE|JULY|AUGUST|SEPTEMBER|OCTOBER|NOVEMBER|DECEMBER)\.?"
)
_WEEKDAY = r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)"
_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
_DATE_ITEM = rf"{_WEEKDAY}?{_DAY}(?:\s+(?:of\s+)?{_MONTH}(?:,?\s+(?:19|20)\d\d)?)?"
_DATE_CONN = r"\s*,?\s*(?:and|to|until|till|through|[-–—])\s*(?:(?:between|from|on)\s+)?"
_DATE_RUN = re.compile(rf"(?<![\w/.£$-]){_DATE_ITEM}(?:{_DATE_CONN}{_DATE_ITEM})*(?![\w/])")
_NUMERIC_DATE = re.compile(r"(?<![\w/])(\d{1,2})/(\d{1,2})/((?:19|20)\d\d)(?![\w/])")
_STANDALONE_DATE = re.compile(
    rf"^(?:(?i:date|dated)\s*:?\s*)?{_WEEKDAY}?{_DAY}\s+{_MONTH},?\s+(?:19|20)\d\d\.?$"
)
_DATE_TOKEN = re.compile(rf"(?P<year>(?:19|20)\d\d)|(?P<month>{_MONTH})|(?P<day>\d{{1,2}})")


def _run_dates(run: str) -> list[date]:
    """Dates named by a run such as '13 and 17 June 2022 and 27 June and 1 July 2022'.

    Each day takes the first month and year written after it.
    """
    numeric = _NUMERIC_DATE.findall(run)
    found: list[date] = []
    if numeric:
        for d, m, y in numeric:
            try:
                found.append(date(int(y), int(m), int(d)))
            except ValueError:
                continue
        return found
    tokens = [(m.lastgroup, m.group()) for m in _DATE_TOKEN.finditer(run)]
    month = year = None
    picked: list[tuple[int, int, int]] = []
    for kind, value in reversed(tokens):
        if kind == "year":
            year = int(value)
        elif kind == "month":
            month = _MONTHS[value[:3].lower()]
        elif kind == "day" and month is not None and year is not None:
            picked.append((year, month, int(value)))
    picked.reverse()
    for y, m, d in picked:
        try:
            found.append(date(y, m, d))
        except ValueError:
            continue
    # '30 December to 3 January 2022': the first day belongs to the year before.
    for i in range(len(found) - 2, -1, -1):
        if found[i] > found[i + 1]:
            try:
                earlier = found[i].replace(year=found[i].year - 1)
            except ValueError:
                continue
            if earlier <= found[i + 1]:
                found[i] = earlier
    return found


_LABELLED_DATES = re.compile(
    r"(?i:(?:inspection|visit|on-?site|fieldwork)\s+dates?|dates?\s+of\s+(?:the\s+)?"
    r"(?:inspection|visit|fieldwork)s?)\s*[:\-–]?\s*(?i:(?:from|between|on)\s+)?"
)
_DATE_TRIGGER = re.compile(
    r"\b(?:visit|visited|inspection|inspected|inspectors?|took place|carried out|on site|"
    r"evaluated|fieldwork)\b",
    re.I,
)
_DATE_EXCLUDE = re.compile(
    r"\b(?:since|previous(?:ly)?|last|prior|earlier|published|publication|dated)\b[^.]*$",
    re.I,
)
_PUBLISHED = re.compile(
    r"^(?i:(?:report\s+)?published(?:\s+on)?|publication\s+date|date\s+of\s+publication|"
    r"date\s+published)\s*[:\-–]?\s*"
)


def _find_visit_dates(lines: list[str]) -> tuple[date | None, date | None]:
    head = "\n".join(lines[:600])[:40_000]
    for m in _LABELLED_DATES.finditer(head):
        run = _DATE_RUN.match(head, m.end())
        if run:
            dates = _run_dates(run.group())
            if dates:
                return min(dates), max(dates)
    offsets = _line_offsets(lines[:600])
    for run in _DATE_RUN.finditer(head):
        text = run.group()
        if not re.search(_MONTH, text) or not re.search(r"(?:19|20)\d\d", text):
            continue
        if not re.match(r"\s*" + _WEEKDAY + r"?\d", text):
            continue
        line_no = _line_at(offsets, run.start())
        if _STANDALONE_DATE.match(lines[line_no]) or _is_page_furniture(lines[line_no]):
            continue
        sentence_start = max(head.rfind(". ", 0, run.start()), head.rfind(".\n", 0, run.start()))
        before = head[sentence_start + 1 : run.start()]
        sentence_end = head.find(". ", run.end())
        after = head[run.end() : sentence_end if sentence_end != -1 else run.end() + 300]
        if _DATE_EXCLUDE.search(before[-60:]) or re.search(r"(?i)\bpublished\b", after[:40]):
            continue
        if _DATE_TRIGGER.search(before[-300:]) or _DATE_TRIGGER.search(after[:300]):
            dates = _run_dates(text)
            if dates:
                return min(dates), max(dates)
    return None, None


def _line_offsets(lines: list[str]) -> list[int]:
    offsets, pos = [], 0
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    return offsets


def _line_at(offsets: list[int], pos: int) -> int:
    lo, hi = 0, len(offsets) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if offsets[mid] <= pos:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _find_published(lines: list[str], title_line: int | None) -> date | None:
    for line in lines[:3000]:
        m = _PUBLISHED.match(line)
        if m:
            run = _DATE_RUN.match(line, m.end())
            dates = _run_dates(run.group()) if run else []
            if dates:
                return dates[0]
    nonblank = 0
    for i, line in enumerate(lines):
        if title_line is not None and i >= title_line:
            break
        if not line:
            continue
        nonblank += 1
        if nonblank > 60 or re.match(r"(?i)dear\b", line):
            break
        if _STANDALONE_DATE.match(line):
            dates = _run_dates(line)
            if dates:
                return dates[0]
    return None


# ---------------------------------------------------------------------------
# Title: kind of inspection and local authority
# ---------------------------------------------------------------------------

_TITLE = re.compile(
    r"(?P<kind>(?i:monitoring\s+visit|focused\s+visit|action\s+planning\s+visit|assurance\s+visit|"
    r"inspection))"
    r"\s+(?i:to|of)\s+(?:(?i:the)\s+)?"
    rf"(?P<la>[A-Z][\w\s,.&()'’‘-]{{0,80}}?)\s+(?i:children{_APOS}?s?\s+(?:social\s+care\s+)?"
    r"services)\b"
)
_JTAI_START = re.compile(r"^(?i:joint\s+targeted\s+area\s+inspection)\b")
_KIND_WORDS = {
    "monitoring visit": "monitoring_visit",
    "focused visit": "focused_visit",
    "action planning visit": "action_planning_visit",
    "assurance visit": "other",  # 2020-21 pandemic visits: no type of their own
    "inspection": "ilacs",
}
# 'Medway Council' on the line above 'Inspection of children's social care services' (and the
# pre-2018 'X Council Inspection of services for children in need of help and protection').
_COUNCIL_THEN_TITLE = re.compile(
    r"(?P<la>[A-Z][\w ,&'’-]{1,60}?\b(?:Council|Borough|County|City))\s+(?:Re-?)?(?i:inspection)\s+"
    rf"(?i:of\s+(?:children{_APOS}?s?\s+(?:social\s+care\s+)?services|services\s+for\s+children))"
)
_CONNECTORS = {
    "of", "to", "in", "and", "or", "the", "with", "who", "for", "from", "at", "by", "on", "a",
    "an", "including", "that", "which", "their", "its", "into", "as", "than", "such", "between",
}  # fmt: skip


class _Title(NamedTuple):
    kind: str
    local_authority: str | None
    line: int


def _clean_la(raw: str) -> str | None:
    """The council's name as the title prints it, without the words around it.

    'Inspection of Derby City local authority children's services' → 'Derby City';
    'Luton Borough Council' (over 'Inspection of children's social care services') →
    'Luton Borough Council'; 'Medway Children's Services' → 'Medway'.
    """
    name = _squash(raw).strip(" ,.:;-–")
    name = re.sub(r"^(?i:the)\s+", "", name)
    previous = None
    while name != previous:
        previous = name
        name = re.sub(rf"(?i)\s*{_APOS}s$", "", name)
        name = re.sub(
            rf"(?i)\s+(?:children{_APOS}?s?\s+(?:social\s+care\s+)?services|local\s+authority|"
            rf"young\s+people{_APOS}?s?\s+services)$",
            "",
            name,
        ).strip(" ,.:;-–")
    if not name or not name[0].isupper() or len(name) > 70:
        return None
    if re.fullmatch(r"(?i)local\s+authority|children.*|council|ofsted", name):
        return None
    if name.isupper() and len(name) > 3:  # 'OFSTED INSPECTION OF MEDWAY'S CHILDREN'S SERVICES'
        name = re.sub(r"\b(Of|And|The|Upon|On|In)\b", lambda m: m.group().lower(), name.title())
    return name


# The 2018-20 ILACS reports and the single inspection framework (SIF) reports before them put
# the council's name on a line of its own above the title.
_TITLE_UNDER_NAME = re.compile(
    r"(?i:(?:re-?)?inspection\s+of\s+(?:local\s+authority\s+)?children"
    rf"{_APOS}?s?\s+(?:social\s+care\s+)?services|(?:re-?)?inspection\s+of\s+services\s+for"
    r"\s+children\b.*)"
)


def _find_title(lines: list[str]) -> _Title | None:
    head_lines = lines[:200]
    head = "\n".join(head_lines)
    offsets = _line_offsets(head_lines)
    best: _Title | None = None
    m: re.Match[str] | None
    for m in _TITLE.finditer(head):
        kind = _KIND_WORDS[_squash(m.group("kind")).lower()]
        if kind == "ilacs" and re.search(r"(?i)targeted\s+area\s*$", head[: m.start()][-30:]):
            continue
        la = _clean_la(m.group("la"))
        if la:
            best = _Title(kind, la, _line_at(offsets, m.start()))
            break
    m = _COUNCIL_THEN_TITLE.search(head)
    if m and (best is None or m.start() < offsets[best.line]):
        la = _clean_la(m.group("la"))
        if la:
            best = _Title("ilacs", la, _line_at(offsets, m.start()))
    nonblank = [i for i, line in enumerate(head_lines[:40]) if line][:6]
    for before, at in zip(nonblank, nonblank[1:], strict=False):
        if best is not None and at >= best.line:
            break
        if _TITLE_UNDER_NAME.fullmatch(head_lines[at]) and len(head_lines[before].split()) <= 8:
            name = head_lines[before]
            earlier = [i for i in nonblank if i < before]
            if earlier and re.fullmatch(r"(?i)council|borough\s+council|county\s+council", name):
                name = f"{head_lines[earlier[-1]]} {name}"  # the name wrapped over two lines
            la = _clean_la(name)
            if la:
                best = _Title("ilacs", la, before)
                break
    for i, line in enumerate(head_lines):
        if best is not None and i >= best.line:
            break
        if _JTAI_START.match(line):
            title = line
            j = i + 1
            while j < len(head_lines) and j <= i + 4:
                if not head_lines[j]:
                    j += 1  # paragraphs from a PDF's layout have blank lines between them
                    continue
                last_word = title.rsplit(" ", 1)[-1].lower()
                nxt = head_lines[j]
                if nxt[0].islower() or last_word in _CONNECTORS:
                    title += " " + nxt
                    j += 1
                else:
                    break
            rest = re.sub(
                r"(?i)^joint\s+targeted\s+area\s+inspection\s*(?:\(JTAI\)\s*)?", "", title
            )
            la = None
            parts = re.split(r"\s+in\s+", rest)
            if len(parts) > 1:
                la = _clean_la(parts[-1])
            elif re.match(r"(?i)of\s+(?!the\b)", rest):
                la = _clean_la(rest[3:])
            return _Title("jtai", la, i)
    return best


_KIND_FALLBACK = (
    (re.compile(r"(?i)joint\s+targeted\s+area\s+inspection"), "jtai"),
    (re.compile(r"(?i)action\s+planning\s+visit"), "action_planning_visit"),
    (re.compile(r"(?i)monitoring\s+visit"), "monitoring_visit"),
    (re.compile(r"(?i)focused\s+visit"), "focused_visit"),
    (re.compile(r"(?i)\bshort\s+inspection\b"), "ilacs"),
    (re.compile(r"(?i)\bstandard\s+inspection\b"), "ilacs"),
)
_NOT_THIS_ONE = re.compile(r"(?i)\b(?:previous|last|earlier|prior|since|next|future)\b[^.]{0,40}$")


def _mentions(pattern: re.Pattern[str], text: str) -> int | None:
    """Offset of the first mention of pattern that is about this document, not an earlier one."""
    for m in pattern.finditer(text):
        if not _NOT_THIS_ONE.search(text[max(0, m.start() - 60) : m.start()]):
            return m.start()
    return None


def _decide_kind(
    title: _Title | None,
    head: str,
    has_table: bool,
    start: date | None,
    end: date | None,
) -> str | None:
    kind = title.kind if title else None
    if kind is None:
        hits = []
        for pattern, name in _KIND_FALLBACK:
            pos = _mentions(pattern, head)
            if pos is not None:
                hits.append((pos, name))
        if hits:
            kind = min(hits)[1]
        elif has_table:
            kind = "ilacs"
    if kind == "other":
        return None
    if kind != "ilacs":
        return kind
    short = _mentions(re.compile(r"(?i)\bshort\s+inspection\b"), head)
    standard = _mentions(re.compile(r"(?i)\bstandard\s+inspection\b"), head)
    if short is not None and (standard is None or short < standard):
        return "ilacs_short"
    if standard is not None:
        return "ilacs_standard"
    if start and end and 0 < (end - start).days <= 6:
        return "ilacs_short"  # a short inspection is one week on site, a standard one two
    return "ilacs_standard"


# ---------------------------------------------------------------------------
# Inspectors
# ---------------------------------------------------------------------------

_ROLE = (
    rf"(?:(?:Her|His|Her/His)\s+Majesty{_APOS}s\s+[Ii]nspectors?(?:\s+\(HMIs?\))?|Senior\s+HMIs?"
    r"|HMIs?|Ofsted\s+[Ii]nspectors?(?:\s+\(OIs?\))?|[Ll]ead\s+[Ii]nspector|"
    r"[Ss]ocial\s+[Cc]are\s+[Rr]egulatory\s+[Ii]nspectors?|[Qq]uality\s+[Aa]ssurance\s+"
    r"[Ii]nspectors?|[Ii]nspectors?)\b"
)
_NAME_WORD = r"[A-Z][\w'’.-]*"
_PARTICLE = r"(?:de|da|van|von|der|den|le|la|du|del|di|bin|al|ter)"
_NAME = re.compile(
    rf"^(?:(?:Dr|Mr|Mrs|Ms|Miss|Mx)\.?\s+)?{_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)*{_NAME_WORD}){{1,3}}$"
)
_NOT_NAME_WORDS = {
    "her", "his", "majesty's", "majesty’s", "inspector", "inspectors", "ofsted", "hmi",
    "council", "children", "children's", "children’s", "services", "the", "this", "visit",
    "yours", "sincerely", "faithfully", "director", "lead", "national", "regulation", "care",
    "inspection", "local", "authority", "dear", "senior", "social", "quality", "assurance",
    "team", "department", "education",
}  # fmt: skip
_NAMES_SENTENCE = re.compile(
    r"(?i:(?:lead\s+)?inspectors?\s+(?:for|on|during|of)\s+(?:this|the)\s+(?:visit|inspection)"
    r"\s+(?:was|were)|the\s+(?:lead\s+)?inspectors?\s+(?:was|were)|(?:visit|inspection)\s+was\s+"
    r"(?:carried\s+out|led|undertaken|conducted)\s+by|inspectors\s+were)"
    r"\s+(?P<names>[^.;\n]{3,300}(?:\n[^.;\n]{1,200})?)"
)
_LEAD_INSPECTOR = re.compile(
    r"(?<![Dd]eputy\s)(?i:lead\s+inspector)\s*[:\-–]\s*(?P<name>[^\n,;]{3,80})"
)
_ROLE_LINE = re.compile(
    rf"^(?P<name>.*?)\s*[,–-]?\s*(?<![\w'’])(?:(?:Her|His)\s+Majesty{_APOS}s\s+Inspector|HMI|Senior\s+HMI|"
    rf"Ofsted\s+Inspector|Lead\s+[Ii]nspector)\s*$",
    re.I,
)


def _as_name(raw: str) -> str | None:
    text = re.sub(r"\([^)]*\)", " ", raw)
    text = re.sub(_ROLE, " ", text)
    text = _squash(text).strip(" ,.;:-–*")
    text = re.sub(r"^(?i:and|with)\s+", "", text)
    if not _NAME.match(text):
        return None
    words = text.lower().split()
    if any(w in _NOT_NAME_WORDS for w in words):
        return None
    return text


def _split_names(raw: str) -> list[str]:
    raw = raw.replace("\n", " ")
    names = []
    for part in re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*", raw):
        name = _as_name(part)
        if name:
            names.append(name)
    return names


def _find_inspectors(lines: list[str]) -> list[str]:
    text = "\n".join(lines)
    offsets = _line_offsets(lines)
    found: list[tuple[int, str]] = []
    m: re.Match[str] | None
    name: str | None
    for m in _NAMES_SENTENCE.finditer(text):
        for name in _split_names(m.group("names")):
            found.append((m.start("names"), name))
    lead_positions: set[int] = set()
    for m in _LEAD_INSPECTOR.finditer(text):
        name = _as_name(re.split(rf"\s+(?:Her|His|Ofsted|HMI|Senior)\b|\s+{_ROLE}", m["name"])[0])
        if name:
            found.append((m.start("name"), name))
            lead_positions.add(m.start("name"))
    for i, line in enumerate(lines):
        m = _ROLE_LINE.match(line)
        if not m:
            continue
        name = _as_name(m.group("name")) if m.group("name") else None
        if name is None and not m.group("name"):
            for back in range(i - 1, max(-1, i - 3), -1):
                if lines[back]:
                    name = _as_name(lines[back]) if _NAME.match(lines[back]) else None
                    break
        if name:
            found.append((offsets[i], name))
    leads = [(pos, name) for pos, name in found if pos in lead_positions]
    if leads:
        found = leads  # a report that names its lead inspector: the lead, not the whole team
    found.sort(key=lambda item: item[0])
    names: list[str] = []
    seen: set[str] = set()
    for _pos, name in found:
        key = name.lower()
        if key not in seen:
            seen.add(key)
            names.append(name)
    return names


# ---------------------------------------------------------------------------
# Judgement table
# ---------------------------------------------------------------------------

_GRADE_AT = re.compile(
    r"^(?P<g>O(?i:utstanding)|G(?i:ood)|I(?i:nadequate)|"
    r"R(?i:equires\s+improvement)(?P<tbg>\s+(?i:to\s+be\s+good))?)(?=$|[\s.,;)])"
)
_TABLE_HEADER = re.compile(
    r"^(?:\d+(?:\.\d+)*\.?\s+)?(?i:judgements?(?:\s+areas?)?)(?:\s+(?i:grades?))?:?$"
)
_ROW_START = re.compile(
    r"^(?:The\s+impact\s+of\s+leaders|The\s+experiences\s+and\s+progress|Overall\s+effectiveness"
    r"|The\s+effectiveness\s+of)\b"
)


def _grade_value(text: str) -> str:
    first = text[:1].lower()
    return {"o": "outstanding", "g": "good", "i": "inadequate"}.get(first, "requires_improvement")


def _grade_at(words: list[str], pos: int) -> tuple[str, int, bool, list[str]] | None:
    """A grade starting at words[pos]: (grade, words used, 'to be good' still to come, label
    words found inside the grade).

    The last item covers text copied line by line from a two-column table, where a wrapped
    label and a wrapped grade interleave: 'Requires' / 'help and protection improvement'.
    """
    if words[pos][:1] not in {"O", "G", "I", "R"}:
        return None
    window = " ".join(words[pos : pos + 5])
    m = _GRADE_AT.match(window)
    if m:
        used = len(m.group("g").split())
        if words[pos + used - 1].endswith(","):
            return None
        ri_open = m.group("g")[0] == "R" and not m.group("tbg")
        return _grade_value(m.group("g")), used, ri_open, []
    if words[pos] != "Requires":
        return None
    for k in range(pos + 1, min(len(words), pos + 12)):
        word = words[k].lower().rstrip(".")
        if word == "improvement":
            return "requires_improvement", k - pos + 1, True, words[pos + 1 : k]
        if not words[k][:1].islower():
            return None
    return None


def _table_words(lines: list[str], start: int, limit: int = 60) -> list[str]:
    words: list[str] = []
    taken = 0
    for j in range(start, min(len(lines), start + 4 * limit)):
        line = lines[j]
        if not line or _is_page_furniture(line):
            continue
        taken += 1
        if taken > limit:
            break
        words.extend(line.split())
    if words and re.fullmatch(r"(?i)grades?", words[0]):
        words = words[1:]
    return words


def _rows_in_order(words: list[str]) -> list[Judgement]:
    rows: list[Judgement] = []
    pos, n = 0, len(words)
    while pos < n and len(rows) < 10:
        label: list[str] = []
        grade = None
        while pos < n and len(label) <= 30:
            grade = _grade_at(words, pos)
            if grade:
                break
            word = words[pos]
            if word.endswith((".", ":", ";", "?", "!")) and len(word) > 2:
                return rows
            label.append(word)
            pos += 1
        if not grade or not label or not label[0][:1].isupper():
            break
        value, used, ri_open, inside = grade
        label.extend(inside)
        pos += used
        while pos < n and words[pos][:1].islower():
            if ri_open and [w.lower().strip(".") for w in words[pos : pos + 3]] == [
                "to",
                "be",
                "good",
            ]:
                pos += 3
                ri_open = False
                continue
            label.append(words[pos])
            pos += 1
        rows.append(Judgement(" ".join(label), value))
    return rows


def _rows_by_column(lines: list[str], start: int) -> list[Judgement]:
    """Tables extracted column by column: all the labels, then all the grades."""
    labels: list[str] = []
    rest: list[str] = []
    for line in lines[start : start + 60]:
        if not line or _is_page_furniture(line):
            continue
        if rest or re.fullmatch(r"(?i)grades?", line) or _grade_at(line.split(), 0):
            rest.append(line)
            continue
        if line[0].isupper():
            labels.append(line)
        elif labels:
            labels[-1] += " " + line
        else:
            return []
    words = " ".join(rest).split()
    if words and re.fullmatch(r"(?i)grades?", words[0]):
        words = words[1:]
    grades: list[str] = []
    pos = 0
    while pos < len(words) and len(grades) < len(labels):
        grade = _grade_at(words, pos)
        if not grade:
            break
        value, used, ri_open, _inside = grade
        pos += used
        if ri_open and [w.lower() for w in words[pos : pos + 3]] == ["to", "be", "good"]:
            pos += 3
        grades.append(value)
    if len(labels) < 2 or len(grades) != len(labels):
        return []
    if any(len(label.split()) > 30 or re.search(r"[.:;]", label) for label in labels):
        return []
    return [Judgement(_squash(label), grade) for label, grade in zip(labels, grades, strict=True)]


# Single inspection framework (2013-18) reports number their judgement rows:
# '1. Children who need help and protection  Good', '2.1 Adoption performance  Inadequate'.
_NUMBERED_ROW = re.compile(
    r"^\d{1,2}(?:\.\d{1,2})?\.?\s+(?P<label>[A-Z][^.:;]{3,120}?)\s+"
    r"(?P<grade>(?i:outstanding|good|inadequate|requires\s+improvement(?:\s+to\s+be\s+good)?))$"
)


def _numbered_rows(lines: list[str]) -> list[Judgement]:
    rows: list[Judgement] = []
    for line in lines[:300]:
        if not line:
            continue
        m = _NUMBERED_ROW.match(line)
        if m:
            rows.append(Judgement(_squash(m["label"]), _grade_value(m["grade"])))
        elif len(rows) >= 3:
            return rows
        else:
            rows = []
    return rows if len(rows) >= 3 else []


def _find_judgements(lines: list[str]) -> list[Judgement]:
    numbered = _numbered_rows(lines)
    if numbered:
        return numbered
    tries = 0
    for i, line in enumerate(lines):
        if _TABLE_HEADER.match(line) and tries < 20:
            tries += 1
            rows = _rows_in_order(_table_words(lines, i + 1))
            by_column = _rows_by_column(lines, i + 1)
            if len(by_column) > len(rows):
                rows = by_column
            if rows:
                return rows
    tries = 0
    for i, line in enumerate(lines):
        if _ROW_START.match(line) and tries < 50:
            tries += 1
            rows = _rows_in_order(_table_words(lines, i))
            if len(rows) >= 2:
                return rows
    return []


# ---------------------------------------------------------------------------
# Lists under headings
# ---------------------------------------------------------------------------

_BULLET = re.compile(
    r"^(?:[\u2022\u25cf\u25aa\u25ab\u25a0\u25a1\u25fb-\u25fe\u25e6\u25cb\u2023\u2043\u2219\u00b7\u25ba"
    r"\u25b6\u27a2\u2713\u2714\u25c6\u2666\u2756\u2192\u00bb\ufffd\ue000-\uf8ff]+\s*"
    r"|[-–—*+>]\s+|o\s+|\(?\d{1,2}[.)]\s+|\(?[a-h]\)\s+|\([ivx]{1,4}\)\s+)"
)
_SECTION_HEADINGS = (
    (
        "improve",
        re.compile(
            r"(?i)what\s+needs\s+to\s+improve(?:\s+in\s+(?:this|these)\s+areas?"
            r"(?:\s+of\s+(?:social\s+work\s+)?practice)?)?\s*\??"
            r"|areas?\s+for\s+(?:further\s+)?improvement|what\s+the\s+local\s+authority\s+needs"
            r"\s+to\s+improve"
        ),
    ),
    ("priority", re.compile(r"(?i)areas?\s+for\s+priority\s+action")),
    (
        "covered",
        re.compile(r"(?i)areas?\s+covered(?:\s+(?:by|during|in|on)\s+(?:the|this)\s+visit)?"),
    ),
)
_STOP_HEADING = re.compile(
    r"(?i)(?:headline\s+findings|main\s+findings|summary|findings|overview|context|"
    r"introduction|next\s+steps|strengths|key\s+findings|evaluation\s+of\s+progress|"
    r"findings\s+and\s+evaluation\s+of\s+progress|progress\s+since\b.*|judgements?(?:\s+grades?)?"
    r"|grades?|overall\s+effectiveness\b.*|"
    # judgement headings: 'The experiences and progress of ...: good' (list items share the
    # opening words, so the colon or the exact label is required)
    r"the\s+(?:experiences\s+and\s+progress\s+of|impact\s+of\s+leaders\s+on)\b[^.]*:.*|"
    r"the\s+impact\s+of\s+leaders\s+on\s+social\s+work\s+practice\s+with\s+children\s+and\s+"
    r"families|the\s+experiences\s+and\s+progress\s+of\s+(?:children\s+who\s+need\s+help\s+and\s+"
    r"protection|children\s+in\s+care(?:\s+and\s+care\s+leavers)?|care\s+leavers)|"
    r"this\s+(?:focused\s+|monitoring\s+)?(?:visit|inspection)\s+was\s+(?:carried\s+out|"
    r"undertaken|conducted)\b.*|ofsted\s+will\b.*|i\s+am\s+copying\b.*|yours\s+(?:sincerely|"
    r"faithfully)\b.*|dear\b.*|case\s+(?:study|studies|example|summary)\b.*|local\s+authority"
    r"\s+details\b.*|about\s+this\s+(?:inspection|visit)\b.*|what\s+is\s+working\s+well\b.*|"
    r"areas?\s+of\s+strength\b.*|what\s+happens\s+next\b.*|information\s+about\s+this\b.*|"
    r"the\s+local\s+authority\s+should\s+now\b.*|recommendations?|practice\s+that\s+needs\b.*)"
    r"\s*[:.?]?"
)
_FURNITURE = re.compile(
    r"(?i)(?:page\s+)?\d{1,3}(?:\s*(?:of|/)\s*\d{1,3})?|ofsted|piccadilly\s+gate.*|store\s+street.*|"
    r"manchester\s+m1\s+2wd|t\s+0300\s+123\s+\d{4}|textphone\b.*|enquiries@ofsted\.gov\.uk|"
    r"www\.gov\.uk/ofsted|©?\s*crown\s+copyright.*|ofsted\s+piccadilly.*|"
    r"(?:inspection\s+of|monitoring\s+visit\s+to|focused\s+visit\s+to|action\s+planning\s+visit"
    r"\s+to)\b.*?(?:\d{4}|services)(?:\s+\d{1,3})?"
)


def _is_page_furniture(line: str) -> bool:
    if _FURNITURE.fullmatch(line):
        return True
    run = _DATE_RUN.fullmatch(re.sub(r"\s+\d{1,3}$", "", line))
    return bool(run and re.search(r"(?:19|20)\d\d", line) and re.search(_MONTH, line))


def _heading_at(lines: list[str], i: int) -> tuple[str | None, int]:
    line = lines[i]
    if not line or not line[0].isupper() or _BULLET.match(line):
        return None, 0
    bare = re.sub(r"^\d+(?:\.\d+)*\.?\s+", "", line).strip()
    bare = re.sub(r"(?<=[?a-z])\d{1,2}$", "", bare)  # a footnote marker: 'improve?1'
    for kind, pattern in _SECTION_HEADINGS:
        if pattern.fullmatch(bare.rstrip(":. ")):
            return kind, 1
    if _STOP_HEADING.fullmatch(bare):
        return "stop", 1
    if i + 1 < len(lines) and lines[i + 1] and len(bare) < 70 and not _BULLET.match(lines[i + 1]):
        joined = f"{bare} {lines[i + 1]}"
        for kind, pattern in _SECTION_HEADINGS:
            if pattern.fullmatch(joined.rstrip(":. ")):
                return kind, 2
        # 'The experiences and progress of children who need help and' / 'protection: good'
        if re.match(r"(?i)the\s+(?:experiences|impact)\b", bare) and _STOP_HEADING.fullmatch(
            joined
        ):
            return "stop", 2
    return None, 0


class _Entry(NamedTuple):
    text: str
    bullet: bool
    gap: bool  # a blank line (not a page break) came before it
    numbered: bool = False  # '1. ...' rather than a bullet glyph
    after_number: bool = False  # a bare number (page number or footnote mark) came before it


_XREF_END = re.compile(
    r"\s*\(\s*(?:see\s+)?(?:para(?:graph)?s?|pages?|pp?)\.?\s*\d[\d\s,&–—-]*"
    r"(?:(?:and|to)\s+\d[\d\s,&–—-]*)*\)\s*(?P<punct>[.;])?\s*$",
    re.I,
)
_ENDS_SENTENCE = re.compile(r"[.!?][)'’\"”]?$")


def _strip_xrefs(text: str) -> str:
    while True:
        m = _XREF_END.search(text)
        if not m:
            return text
        head = text[: m.start()].rstrip()
        if m.group("punct") and not head.endswith((".", ";", "!", "?", ":")):
            head += m.group("punct")
        text = head


def _join_item(parts: list[str]) -> str:
    text = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if text.endswith("-") and len(text) > 1 and text[-2].isalpha() and part[0].isalnum():
            text += part
        elif text:
            text += " " + part
        else:
            text = part
    return _strip_xrefs(_squash(text))


def _continues(previous: str, entry: _Entry) -> bool:
    first = entry.text[:1]
    if first.islower() or first in ",;:)]&/":
        return True
    if entry.gap:
        return False
    return not _ENDS_SENTENCE.search(previous)


def _collect_list(lines: list[str], start: int) -> list[str]:
    entries: list[_Entry] = []
    blank = page_break = number = False
    for j in range(start, min(len(lines), start + 400)):
        line = lines[j]
        if not line:
            blank = True
            continue
        if _is_page_furniture(line):
            page_break = True
            # a bare number straight before text is a footnote's; a page break has its running
            # header between the page number and the text that goes on
            number = bool(re.fullmatch(r"\d{1,2}", line))
            continue
        bullet = _BULLET.match(line)
        gap = blank and not page_break
        if bullet:
            numbered = bool(re.match(r"\(?\d", line))
            entries.append(_Entry(line[bullet.end() :].strip(), True, gap, numbered, number))
        else:
            if _heading_at(lines, j)[0] is not None:
                break
            entries.append(_Entry(line, False, gap, False, number))
        blank = page_break = number = False
    if any(e.bullet for e in entries):
        return _bulleted_items(entries)
    return _plain_items(entries)


def _bulleted_items(entries: list[_Entry]) -> list[str]:
    first_numbered = next((e.numbered for e in entries if e.bullet), False)
    items: list[list[str]] = []
    current: list[str] | None = None
    i = 0
    while i < len(entries):
        entry = entries[i]
        if entry.bullet:
            if entry.numbered and items and not first_numbered:
                break  # numbered findings after the bulleted list: never list items
            current = [entry.text]
            items.append(current)
        elif current is None:
            pass  # introductory sentence before the first bullet
        elif not "".join(current):
            current.append(entry.text)  # a bullet glyph alone on its line
        elif _continues(current[-1], entry) and not (
            entry.after_number and entry.text[:1].isupper()
        ):
            current.append(entry.text)
        else:
            # A stray running header or footer between bullets: skip it; otherwise the list is over.
            # A footnote (after its bare number) may run longer, up to the next bullet.
            ahead = entries[i : i + (8 if entry.after_number else 4)]
            k = next((n for n, e in enumerate(ahead) if e.bullet), None)
            if k is None or (not entry.after_number and any(len(e.text) > 100 for e in ahead[:k])):
                break
            i += k
            continue
        i += 1
    return [text for text in (_join_item(parts) for parts in items) if text]


def _sentence_count(text: str) -> int:
    return len(re.findall(r"[.!?](?:\s+(?=[A-Z])|$)", text))


def _starts_item(previous: str, line: str) -> bool:
    """In a list that lost its bullets, does this line start a new item?"""
    first = line[:1]
    if not (first.isupper() or first.isdigit() or first in "'‘\"“("):
        return False
    if _ENDS_SENTENCE.search(previous):
        return True
    last_word = previous.rsplit(" ", 1)[-1].lower()
    return not (previous.endswith((",", "-", "–", "—", "/")) or last_word in _CONNECTORS)


def _plain_items(entries: list[_Entry]) -> list[str]:
    """Lists whose bullets were lost in copying: one item per line or per sentence."""
    wrapped = any(e.text[:1].islower() for e in entries[1:])
    items: list[list[str]] = []
    paragraph: list[_Entry] = []
    paragraphs: list[list[_Entry]] = []
    for entry in entries:
        if entry.gap and paragraph:
            paragraphs.append(paragraph)
            paragraph = []
        paragraph.append(entry)
    if paragraph:
        paragraphs.append(paragraph)
    for para in paragraphs:
        text = " ".join(e.text for e in para)
        if len(paragraphs) > 1 and _sentence_count(text) >= 3:
            if items:
                break
            continue  # an introductory paragraph of prose
        current: list[str] = []
        for entry in para:
            new_item = not current or not wrapped or _starts_item(current[-1], entry.text)
            if new_item and current:
                items.append(current)
                current = []
            current.append(entry.text)
        if current:
            items.append(current)
    texts = [text for text in (_join_item(parts) for parts in items) if text]
    if texts and (texts[0].endswith(":") or re.search(r"(?i)\bfollowing\b", texts[0])):
        texts = texts[1:]
    return texts


_NUMBER_ITEM = re.compile(r"^\(?(?:\d{1,2}|[a-h]|[ivx]{1,4})[.)]\s+")
_RECOMMENDATIONS = re.compile(r"(?i)recommendations?:?")


def _collect_paragraph_list(lines: list[str], start: int, *, numbered: bool) -> list[str]:
    """A list in text from the PDF layout reader: one paragraph a line, items marked '• '.

    The list is the run of bullets after the heading (after at most two lead-in paragraphs);
    the first paragraph that is not a bullet ends it. Numbered paragraphs are findings, not
    items, except under 'Recommendations' (single inspection framework reports).
    """
    items: list[str] = []
    lead_ins = 0
    lead_in = None
    for j in range(start, min(len(lines), start + 400)):
        line = lines[j]
        if not line or _is_page_furniture(line):
            continue
        if line.startswith("• "):
            if not items and lead_in and _introduces_items(lead_in):
                items.append(lead_in)  # 'The local authority needs to ..., including:'
            items.append(line[2:])
            continue
        if items and line[:1].islower():
            items[-1] += " " + line  # a wrapped line set apart from its item
            continue
        number = _NUMBER_ITEM.match(line)
        if numbered and number:
            items.append(line[number.end() :])
            continue
        if items or _heading_at(lines, j)[0] is not None:
            break
        lead_ins += 1
        lead_in = line
        if lead_ins > 2:
            break
    return [text for text in (_join_item([item]) for item in items) if text]


def _introduces_items(line: str) -> bool:
    """A lead-in that is part of the first item ('... including:'), not a heading-like
    introduction ('Inspectors identified the following areas for improvement:')."""
    return line.endswith(":") and not re.search(
        r"(?i)\bfollowing\b|\bareas?\s+(?:for|of|that)\b|\bneeds?\s+to\s+improve\b|\bas\s+follows\b",
        line,
    )


def _find_sections(lines: list[str], *, layout: bool = False) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {"improve": [], "priority": [], "covered": []}
    seen = dict.fromkeys(found, 0)
    recommendations: list[str] = []
    i = 0
    while i < len(lines):
        kind, used = _heading_at(lines, i)
        if kind in found and seen[kind] < 10:  # a real document has one or two of each
            seen[kind] += 1
            items = _collect_paragraph_list(lines, i + used, numbered=False) if layout else []
            if not items:
                items = _collect_list(lines, i + used)
            for item in items:
                if item not in found[kind]:
                    found[kind].append(item)
        elif not recommendations and _RECOMMENDATIONS.fullmatch(lines[i]):
            if layout:
                recommendations = _collect_paragraph_list(lines, i + 1, numbered=True)
            else:
                recommendations = _collect_list(lines, i + 1)
        i += max(used, 1)
    if not found["improve"] and recommendations:
        found["improve"] = recommendations  # pre-2018 reports: 'Recommendations'
    return found


# ---------------------------------------------------------------------------
# Focused visit theme
# ---------------------------------------------------------------------------

_THEME = re.compile(
    r"(?:(?:[Ii]nspectors|[Tt]he\s+inspectors?|[Tt]his\s+(?:focused\s+)?visit|[Tt]he\s+(?:focused\s+)?"
    r"visit)\s+(?:looked\s+at|evaluated|reviewed|considered|examined|focused\s+on|explored)\s+)"
    rf"(?:(?:the\s+)?(?:(?:local\s+authority|council|authority){_APOS}s?\s+)?arrangements\s+for\s+)?"
    r"(?P<theme>.+?)\.(?P<quote>['’”]?)(?=\s|$)",
    re.S,
)


def _find_theme(lines: list[str]) -> str | None:
    """What a focused visit looked at: 'Inspectors looked at the local authority's arrangements
    for children in care.' → 'children in care'."""
    text = _squash(" ".join(lines[:400]))[:30_000]
    for m in _THEME.finditer(text):
        theme = m.group("theme").strip() + m.group("quote")  # "the ‘front door.’"
        if 3 <= len(theme) <= 600 and not re.match(r"(?i)a\s+range\s+of|evidence\b", theme):
            return theme
    return None


# ---------------------------------------------------------------------------
# Putting it together
# ---------------------------------------------------------------------------


def parse_text(text: str) -> OfstedDraft:
    """Parse the text of an Ofsted document into a draft. Never fails on odd text."""
    if not isinstance(text, str):
        raise TypeError("parse_text expects a str")
    return _parse(text, layout=False)


def _parse(text: str, *, layout: bool) -> OfstedDraft:
    """layout: the text comes from the PDF layout reader (one paragraph a line)."""
    lines = _clean_lines(text)
    title = _find_title(lines)
    judgements = _find_judgements(lines)
    start, end = _find_visit_dates(lines)
    head = _squash(" ".join(lines[:300]))[:20_000]
    kind = _decide_kind(title, head, bool(judgements), start, end)
    if kind not in {"ilacs_standard", "ilacs_short"}:
        judgements = []  # visits and JTAIs are not graded
    sections = _find_sections(lines, layout=layout)
    return OfstedDraft(
        local_authority=title.local_authority if title else None,
        inspection_type=kind,
        start_date=start,
        end_date=end,
        published_date=_find_published(lines, title.line if title else None),
        inspectors=_find_inspectors(lines),
        judgements=judgements,
        areas_for_improvement=sections["improve"],
        priority_actions=sections["priority"],
        areas_covered=sections["covered"],
        theme=_find_theme(lines) if kind == "focused_visit" else None,
    )
