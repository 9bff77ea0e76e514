"""Read the layout of an Ofsted PDF and give back its text as a person reads it.

Ofsted reports and letters carry more structure than their flat text: the running header and
footer repeat on every page, the letterhead sits in the top corner of a letter's first page,
footnotes are set small at the foot of a page, bullets are glyphs (•, ◼ …) hanging left of
their text, and headings are bold. This module reads every character with its position, size
and font (through PDFium, see docs/decisions/0006-pdf-library.md) and writes plain text where

- page furniture (running headers and footers, page numbers, the letterhead, footnotes and
  footnote markers) is gone;
- each paragraph, heading and list item is one line, wrapped lines joined (also across a page
  break), with a blank line between them;
- each list item starts with "• " whatever glyph or number the PDF drew, and a bold heading
  is on a line of its own;
- table rows keep their cells on one line, separated by two spaces or more.

The text parser (``inspections.ofsted_parser``) then reads this text exactly as it reads
text pasted from a report. Nothing here imports Django.
"""

from __future__ import annotations

import ctypes
import re
import statistics
import threading
from collections import Counter
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

__all__ = ["PdfLayoutError", "PdfPasswordError", "pdf_layout_text"]

# PDFium is not thread-safe: one document at a time per process.
_LOCK = threading.Lock()

# Glyphs that Ofsted (and Word) draw as list bullets. Private-use code points are symbol-font
# bullets (Wingdings, Symbol) that map to no Unicode character.
BULLET_GLYPHS = frozenset(
    "\u2022\u25cf\u25aa\u25ab\u25a0\u25a1\u25fc\u25fb\u25fe\u25fd\u25e6\u25cb\u2023\u2043"
    "\u2219\u00b7\u25ba\u25b6\u27a2\u2713\u2714\u25c6\u2666\u2756\u2192\u00bb\uf0b7\uf0a7"
    "\uf06e\uf0d8\uf0fc\uf076\uf0a8\u2212\uf02d"
)
_NUMBERED = re.compile(r"^(?:\d{1,2}[.)]|\(?[a-h]\)|\(?[ivx]{1,4}\))$")


class PdfLayoutError(Exception):
    """PDFium could not open the document."""


class PdfPasswordError(PdfLayoutError):
    """The document needs a password to open."""


@dataclass
class _Char:
    text: str
    x0: float
    x1: float
    y: float  # baseline, from the top of the page
    size: float
    bold: bool


@dataclass
class _Line:
    page: int
    chars: list[_Char]
    text: str = ""
    x0: float = 0.0
    x1: float = 0.0
    y: float = 0.0
    size: float = 0.0
    bold: bool = False
    bullet: bool = False  # begins with a bullet glyph or a list number
    text_x: float = 0.0  # where the words start (after a bullet)
    cells: list[tuple[float, str]] = field(default_factory=list)  # (x, text) per table cell


# ---------------------------------------------------------------------------
# PDF -> characters
# ---------------------------------------------------------------------------


def _page_chars(page, page_height: float) -> list[list[_Char]]:
    """The page's characters in PDFium's reading order, cut into its text runs (lines)."""
    textpage = page.get_textpage()
    try:
        handle = textpage.raw
        count = pdfium_c.FPDFText_CountChars(handle)
        left, right, bottom, top = (ctypes.c_double() for _ in range(4))
        ox, oy = ctypes.c_double(), ctypes.c_double()
        runs: list[list[_Char]] = []
        run: list[_Char] = []
        unicode_of, origin_of = pdfium_c.FPDFText_GetUnicode, pdfium_c.FPDFText_GetCharOrigin
        box_of, size_of = pdfium_c.FPDFText_GetCharBox, pdfium_c.FPDFText_GetFontSize
        weight_of = pdfium_c.FPDFText_GetFontWeight
        for i in range(count):
            code = unicode_of(handle, i)
            if code == 2 and run:  # PDFium's mark for a hyphen that ends a line
                last = run[-1]
                run.append(
                    _Char("-", last.x1, last.x1 + last.size * 0.3, last.y, last.size, last.bold)
                )
                continue
            if code in (10, 13, 2):  # line breaks
                if run:
                    runs.append(run)
                    run = []
                continue
            ch = chr(code) if 0 < code < 0x110000 else "\ufffd"
            if ch.isspace():  # spaces PDFium generated between words, or real ones
                if run:
                    last = run[-1]
                    run.append(_Char(" ", last.x1, last.x1, last.y, last.size, last.bold))
                continue
            origin_of(handle, i, ox, oy)
            box_of(handle, i, left, right, bottom, top)
            x0, x1 = left.value, right.value
            size = size_of(handle, i)
            if x1 <= x0:
                x1 = x0 + size * 0.3
            bold = weight_of(handle, i) >= 600
            run.append(_Char(ch, ox.value, max(x1, ox.value), page_height - oy.value, size, bold))
        if run:
            runs.append(run)
        return runs
    finally:
        textpage.close()


def _split_run(run: list[_Char]) -> list[list[_Char]]:
    """A run of characters may hold several lines (one text object drawn over many lines)."""
    pieces: list[list[_Char]] = []
    current: list[_Char] = []
    for ch in run:
        if current and ch.text != " ":
            prev = next((c for c in reversed(current) if c.text != " "), None)
            if (
                prev is not None
                and (abs(ch.y - prev.y) > max(prev.size, ch.size) * 0.9 or ch.x0 < prev.x0 - 1)
                and not _is_superscript(ch, prev)  # a superscript is raised and smaller
            ):
                pieces.append(current)
                current = []
        current.append(ch)
    if current:
        pieces.append(current)
    return pieces


def _is_superscript(ch: _Char, base: _Char) -> bool:
    return ch.size < base.size * 0.85 and 0 < base.y - ch.y < base.size and ch.x0 >= base.x0


# ---------------------------------------------------------------------------
# Characters -> lines
# ---------------------------------------------------------------------------


def _strip_superscripts(chars: list[_Char]) -> list[_Char]:
    """Drop footnote markers: digits set smaller and raised after a word ('improve?¹')."""
    if not any(c.text.isdigit() for c in chars):
        return chars
    body = [c for c in chars if c.text != " "]
    if not body:
        return chars
    main = Counter(round(c.size, 1) for c in body).most_common(1)[0][0]
    base_y = statistics.median(c.y for c in body if round(c.size, 1) == main)
    kept = []
    for i, c in enumerate(chars):
        if (
            c.text.isdigit()
            and c.size < main * 0.85
            and base_y - c.y > main * 0.15
            and i > 0
            and any(k.text != " " for k in chars[:i])
        ):
            continue
        kept.append(c)
    return kept


def _make_line(page: int, chars: list[_Char]) -> _Line | None:
    chars = _strip_superscripts(chars)
    while chars and chars[-1].text == " ":
        chars.pop()
    while chars and chars[0].text == " ":
        chars.pop(0)
    if not chars:
        return None
    body = [c for c in chars if c.text != " "]
    sizes = Counter(round(c.size, 1) for c in body)
    line = _Line(page=page, chars=chars)
    line.x0 = body[0].x0
    line.x1 = max(c.x1 for c in body)
    line.size = sizes.most_common(1)[0][0]
    line.y = statistics.median(c.y for c in body)
    letters = [c for c in body if c.text.isalpha()]
    line.bold = bool(letters) and sum(c.bold for c in letters) > 0.6 * len(letters)
    # Words and table cells: a gap wider than a few spaces between characters is a cell break.
    cells: list[tuple[float, str]] = []
    cell = ""
    cell_x = body[0].x0
    prev: _Char | None = None
    for c in chars:
        if c.text == " ":
            if cell and not cell.endswith(" "):
                cell += " "
            continue
        if prev is not None:
            gap = c.x0 - prev.x1
            if gap > max(prev.size, c.size) * 1.0 and cell.strip():
                cells.append((cell_x, cell.strip()))
                cell = ""
                cell_x = c.x0
            elif gap > max(prev.size, c.size) * 0.2 and not cell.endswith(" "):
                cell += " "
        if not cell:
            cell_x = c.x0
        cell += c.text
        prev = c
    if cell.strip():
        cells.append((cell_x, cell.strip()))
    first_word = cells[0][1].split(" ", 1)[0] if cells else ""
    glyph = body[0].text
    if (
        glyph in BULLET_GLYPHS
        or (0xE000 <= ord(glyph) <= 0xF8FF and len(first_word) == 1)
        or (first_word == "o" and len(body) > 1)  # Word's sub-bullet: a Courier 'o'
    ):
        line.bullet = True
        after = next((c for c in body[1:] if c.text != " "), None)
        line.text_x = after.x0 if after else line.x0
        rest = cells[0][1][1:].lstrip()
        cells = [(line.text_x, rest), *cells[1:]] if rest else cells[1:]
    else:
        line.text_x = line.x0
        if _NUMBERED.match(first_word) and len(cells[0][1].split(" ", 1)) > 1:
            # '1. Children ...': a numbered paragraph; its wrapped lines start where its words do
            words = [c for c in body if c.text != " "]
            if len(words) > len(first_word):
                line.text_x = words[len(first_word)].x0
    line.cells = cells
    line.text = "  ".join(text for _x, text in cells)
    if not line.text:
        return None
    return line


def _read_lines(document) -> tuple[list[list[_Line]], list[float]]:
    pages: list[list[_Line]] = []
    heights: list[float] = []
    for number in range(len(document)):
        page = document[number]
        try:
            height = page.get_height()
            lines: list[_Line] = []
            for run in _page_chars(page, height):
                for piece in _split_run(run):
                    line = _make_line(number, piece)
                    if line is not None:
                        lines.append(line)
        finally:
            page.close()
        pages.append(_merge_same_baseline(lines))
        heights.append(height)
    return pages, heights


def _is_marker_of(marker: _Line, line: _Line) -> bool:
    """A footnote marker set in a run of its own, raised after the end of a line."""
    return (
        marker.text.isdigit()
        and len(marker.text) <= 2
        and marker.size < line.size * 0.85
        and 0 < line.y - marker.y < line.size
        and abs(marker.x0 - line.x1) < line.size
    )


def _merge_same_baseline(lines: list[_Line]) -> list[_Line]:
    """Runs on one baseline (a table row's cells, a bullet and its text) become one line."""
    if not lines:
        return lines
    lines = [ln for ln in lines if not any(_is_marker_of(ln, other) for other in lines)]
    ordered = sorted(lines, key=lambda ln: (round(ln.y, 0), ln.x0))
    merged: list[_Line] = []
    for line in ordered:
        if merged:
            last = merged[-1]
            tol = max(min(last.size, line.size) * 0.45, 1.5)
            if abs(line.y - last.y) <= tol and line.x0 >= last.x1 - 1:
                merged[-1] = _join_same_line(last, line)
                continue
        merged.append(line)
    # Lines are sorted by baseline; put them back into columns only if the page has none.
    return merged


def _join_same_line(left: _Line, right: _Line) -> _Line:
    gap = right.x0 - left.x1
    joined = _Line(page=left.page, chars=left.chars + right.chars)
    joined.x0, joined.x1, joined.y = left.x0, max(left.x1, right.x1), left.y
    if left.bullet and not left.cells:  # the glyph alone, its words in a run of their own
        joined.cells = list(right.cells)
        joined.size, joined.bold, joined.bullet, joined.text_x = (
            right.size,
            right.bold,
            True,
            right.x0,
        )
    else:
        if gap > max(left.size, right.size) * 1.0:
            joined.cells = left.cells + right.cells
        else:
            (x, last), (_x, first) = left.cells[-1], right.cells[0]
            joined.cells = [*left.cells[:-1], (x, f"{last} {first}"), *right.cells[1:]]
        joined.size = left.size if len(left.text) >= len(right.text) else right.size
        joined.bold = left.bold and right.bold
        joined.bullet, joined.text_x = left.bullet, left.text_x
    joined.text = "  ".join(text for _x, text in joined.cells)
    return joined


# ---------------------------------------------------------------------------
# Page furniture: running header and footer, page numbers, letterhead, footnotes
# ---------------------------------------------------------------------------

_PAGE_NUMBER = re.compile(r"(?i)(?:page\s+)?\d{1,3}(?:\s*(?:of|/)\s*\d{1,3})?")


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", " ", text.lower())).strip()


def _body_size(pages: list[list[_Line]]) -> float:
    sizes: Counter[float] = Counter()
    for lines in pages:
        for line in lines:
            sizes[line.size] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 12.0


def _remove_furniture(
    pages: list[list[_Line]], heights: list[float], body: float
) -> list[list[_Line]]:
    zone_pages: dict[str, set[int]] = {}
    for number, (lines, height) in enumerate(zip(pages, heights, strict=True)):
        for line in lines:
            if line.y < height * 0.13 or line.y > height * 0.87:
                zone_pages.setdefault(_furniture_key(line.text), set()).add(number)
    repeated = {
        key for key, seen in zone_pages.items() if len(seen) >= 2 and len(seen) >= 0.3 * len(pages)
    }
    kept_pages: list[list[_Line]] = []
    for number, (lines, height) in enumerate(zip(pages, heights, strict=True)):
        kept = []
        for line in lines:
            top, bottom = line.y < height * 0.13, line.y > height * 0.87
            if (top or bottom) and (
                # the first page's top holds the title, which the running header repeats
                (_furniture_key(line.text) in repeated and (bottom or number > 0))
                or _PAGE_NUMBER.fullmatch(line.text)
                or (bottom and line.size < body * 0.85)
            ):
                continue
            kept.append(line)
        if number == 0:
            kept = _without_letterhead(kept, height, body)
        kept_pages.append(_without_footnotes(kept, height, body))
    return kept_pages


def _without_letterhead(lines: list[_Line], height: float, body: float) -> list[_Line]:
    """A letter's first page opens with Ofsted's address, set small, above the date."""
    for i, line in enumerate(lines):
        if line.size >= body * 0.9 or line.y > height * 0.3:
            return lines[i:] if i else lines
    return lines


def _without_footnotes(lines: list[_Line], height: float, body: float) -> list[_Line]:
    """Footnotes are set small at the foot of the page and open with their number."""
    start = len(lines)
    while start > 0 and lines[start - 1].size < body * 0.9 and not lines[start - 1].bold:
        start -= 1
    notes = lines[start:]
    if notes and notes[0].y > height * 0.4 and re.match(r"[\d*†]", notes[0].text):
        return lines[:start]
    return lines


# ---------------------------------------------------------------------------
# Lines -> paragraphs
# ---------------------------------------------------------------------------


@dataclass
class _Paragraph:
    lines: list[_Line]
    bullet: bool

    @property
    def first(self) -> _Line:
        return self.lines[0]

    @property
    def last(self) -> _Line:
        return self.lines[-1]


def _line_pitch(pages: list[list[_Line]], body: float) -> float:
    gaps: Counter[float] = Counter()
    for lines in pages:
        for a, b in zip(lines, lines[1:], strict=False):
            if a.size == body and b.size == body and 0 < b.y - a.y < body * 3:
                gaps[round(b.y - a.y, 0)] += 1
    return gaps.most_common(1)[0][0] if gaps else body * 1.2


def _continues(para: _Paragraph, line: _Line, pitch: float, right: float) -> bool:
    first = para.first
    side = line.x0 > first.x1 + line.size  # a table cell to the right of the row's label
    main = [ln for ln in para.lines if ln.x0 <= first.x1 + ln.size]
    last = main[-1]
    if line.bullet or _NUMBERED.match(line.text.split(" ", 1)[0]) and line.text_x > line.x0:
        return False
    if line.page == para.last.page and side:
        return 0 < line.y - para.last.y <= max(pitch, line.size * 1.05) * 1.3
    if line.bold != last.bold or abs(line.size - last.size) > 0.6:
        return False
    indent = first.text_x if para.bullet or first.text_x > first.x0 else None
    if indent is not None and line.x0 < indent - 3:
        return False
    if line.page == para.last.page:
        gap = line.y - para.last.y
        return 0 < gap <= max(pitch, line.size * 1.05) * 1.3
    # across a page break: the paragraph goes on if its last line ran to the right margin
    if line.page != last.page + 1:
        return False
    if indent is None and abs(line.x0 - first.x0) > 3 and abs(line.x0 - last.x0) > 3:
        return False
    return last.x1 >= right - line.size * 2.5 and not re.search(r"[.:!?]['’”)]?$", last.text)


def _paragraphs(pages: list[list[_Line]], body: float) -> list[_Paragraph]:
    pitch = _line_pitch(pages, body)
    ends = sorted(line.x1 for lines in pages for line in lines if line.size == body)
    right = ends[int(len(ends) * 0.95)] if ends else 0.0
    paragraphs: list[_Paragraph] = []
    for lines in pages:
        for line in lines:
            if paragraphs and _continues(paragraphs[-1], line, pitch, right):
                paragraphs[-1].lines.append(line)
            else:
                paragraphs.append(_Paragraph([line], line.bullet))
    return paragraphs


def _paragraph_text(para: _Paragraph) -> str:
    """A paragraph's text; a table row's cells column by column, two spaces between them."""
    columns: list[tuple[float, list[str]]] = []
    for line in para.lines:
        for x, text in line.cells:
            match = next((parts for cx, parts in columns if abs(cx - x) < 4), None)
            if match is not None:
                match.append(text)
            elif columns and len(line.cells) == 1 and x <= columns[0][0] + 40:
                columns[0][1].append(text)  # a wrapped line of the first column
            else:
                columns.append((x, [text]))
    columns.sort(key=lambda col: col[0])
    texts = [_join_wrapped(parts) for _x, parts in columns]
    text = "  ".join(texts)
    return f"• {text}" if para.bullet else text


def _join_wrapped(parts: list[str]) -> str:
    text = ""
    for part in parts:
        if not text:
            text = part
        elif text.endswith("-") and len(text) > 1 and text[-2].isalpha() and part[:1].isalnum():
            text += part  # 'life-' / 'story' is printed 'life-story'
        else:
            text += " " + part
    return text


# ---------------------------------------------------------------------------
# Public entry point
# ---------------------------------------------------------------------------


def _has_paragraph_spacing(pages: list[list[_Line]], body: float) -> bool:
    """Do paragraphs stand apart (extra space between them), as in Ofsted's own PDFs?

    A PDF made by printing plain text line by line has every line at the same pitch; its
    paragraphs can't be told from its layout, so its lines are given one by one instead.
    """
    pitch = _line_pitch(pages, body)
    lines = breaks = 0
    for page in pages:
        for a, b in zip(page, page[1:], strict=False):
            if a.size == body and b.size == body:
                lines += 1
                breaks += b.y - a.y > pitch * 1.3
    return lines > 0 and breaks >= max(2, lines * 0.06)


def pdf_layout_text(data: bytes) -> tuple[str, int, bool]:
    """The document's text, its number of pages, and whether the text is one paragraph a line.

    Raises PdfPasswordError if it needs a password, PdfLayoutError if PDFium cannot read it.
    """
    with _LOCK:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            if "password" in str(exc).lower():
                raise PdfPasswordError(str(exc)) from exc
            raise PdfLayoutError(str(exc)) from exc
        try:
            pages, heights = _read_lines(document)
        except pdfium.PdfiumError as exc:
            raise PdfLayoutError(str(exc)) from exc
        finally:
            document.close()
    body = _body_size(pages)
    pages = _remove_furniture(pages, heights, body)
    if not _has_paragraph_spacing(pages, body):
        text = "\n\n".join(
            "\n".join(("• " if line.bullet else "") + line.text for line in page) for page in pages
        )
        return text, len(heights), False
    text = "\n\n".join(_paragraph_text(p) for p in _paragraphs(pages, body))
    return text, len(heights), True
