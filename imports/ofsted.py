"""From a parsed Ofsted draft to what the review form proposes: the canonical judgement area
for each judgement as printed, and for each area a monitoring visit covered, the earlier area
for improvement it most likely revisits."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from core import uploads
from inspections.models import AreaForImprovement, Grade, Inspection, JudgementArea, LocalAuthority

GRADES = {
    "outstanding": Grade.OUTSTANDING,
    "good": Grade.GOOD,
    "requires_improvement": Grade.REQUIRES_IMPROVEMENT,
    "inadequate": Grade.INADEQUATE,
}


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^a-z]+", " ", text.lower().replace("’", "'")).split())


def canonical_area_key(wording: str) -> str | None:
    """The key of the canonical JudgementArea that a judgement's printed wording names.

    By wording, not date: 2018-22 reports judge "children in care and care leavers" as one
    area; from 2023 "children in care" and "care leavers" are separate areas."""
    words = _words(wording)
    if not words:
        return None
    if "overall" in words:
        return "overall"
    if re.search(r"\bleaders?\b|\bleadership\b", words):
        return "leaders"
    if "help and protection" in words:
        return "help-and-protection"
    in_care = bool(re.search(r"\bchildren (?:who are )?(?:in care|looked after)\b", words))
    leavers = "care leavers" in words
    if in_care and leavers:
        return "children-in-care-and-care-leavers"
    if in_care:
        return "children-in-care"
    if leavers:
        return "care-leavers"
    return None


def canonical_area(wording: str, areas: Sequence[JudgementArea]) -> JudgementArea | None:
    """The canonical area for the wording: an exact match of its name first, then by words."""
    words = _words(wording)
    for area in areas:
        if _words(area.name) == words:
            return area
    key = canonical_area_key(wording)
    return next((area for area in areas if area.key == key), None)


# --- Suggesting which earlier area for improvement a visit revisits ------------------------

_STOP = {
    "a", "an", "and", "the", "of", "to", "in", "for", "on", "with", "at", "by", "from",
    "including", "include", "their", "its", "all", "any", "every", "this", "that", "these",
    "those", "who", "which", "as", "is", "are", "be", "been", "into", "about", "relation",
    "aspects", "there", "how", "more", "most", "so", "such", "than", "through", "within", "across",
}  # fmt: skip
# Wordings that name the same thing in Ofsted letters.
_CONCEPTS = (
    (r"\b(?:senior\s+)?(?:leaders?|leadership|managers?|management)\b", " leadership "),
    (r"\bquality\s+assurance\b|\baudits?\b", " qualityassurance "),
    (r"\blooked[-\s]after\b", " in care "),
    (r"\bwell-being\b", " wellbeing "),
)
_SUFFIXES = ("ership", "ers", "ing", "ness", "ments", "ment", "ies", "es", "s", "ed", "er")
SUGGEST_AT_LEAST = 0.2


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def tokens(text: str) -> set[str]:
    text = text.lower().replace("’", "'").replace("'s", "")
    for pattern, replacement in _CONCEPTS:
        text = re.sub(pattern, replacement, text)
    return {
        _stem(word) for word in re.findall(r"[a-z]+", text) if word not in _STOP and len(word) > 2
    }


@dataclass(frozen=True)
class Suggestion:
    area: AreaForImprovement
    score: float


def suggest_revisits(
    texts: Sequence[str], candidates: Sequence[AreaForImprovement]
) -> list[Suggestion | None]:
    """For each text, the candidate area for improvement it most likely revisits, or None.

    The score is the share of the text's words (weighted by how rare each word is among the
    candidates, so "children" counts for little and "permanence" for a lot) that the area
    also uses, after folding word endings and a few synonyms Ofsted uses interchangeably.
    Below SUGGEST_AT_LEAST nothing is suggested: a wrong suggestion is worse than none.
    A tie goes to the area from the most recent inspection.
    """
    if not candidates:
        return [None] * len(texts)
    candidate_tokens = [tokens(area.text) | tokens(area.short_title) for area in candidates]
    frequency: dict[str, int] = {}
    for words in candidate_tokens:
        for word in words:
            frequency[word] = frequency.get(word, 0) + 1
    total = len(candidates)

    def weight(word: str) -> float:
        return math.log((total + 1) / (frequency.get(word, 0) + 0.5))

    def recency(area: AreaForImprovement) -> tuple[dt.date, int]:
        return (area.inspection.start_date, -area.order)

    suggestions: list[Suggestion | None] = []
    for text in texts:
        words = tokens(text)
        whole = sum(weight(word) for word in words)
        best: tuple[float, tuple[dt.date, int]] | None = None
        chosen = None
        for area, area_words in zip(candidates, candidate_tokens, strict=True):
            score = sum(weight(w) for w in words & area_words) / whole if whole else 0.0
            key = (round(score, 6), recency(area))
            if best is None or key > best:
                best, chosen = key, area
        if chosen is not None and best is not None and best[0] >= SUGGEST_AT_LEAST:
            suggestions.append(Suggestion(chosen, best[0]))
        else:
            suggestions.append(None)
    return suggestions


def revisit_candidates(
    local_authority: str | None, before: dt.date | None
) -> list[AreaForImprovement]:
    """Areas for improvement from earlier inspections of the same local authority (named
    loosely: "Medway" and "Medway Council" are the same place)."""
    if not local_authority:
        return []
    same_place = [
        la.pk for la in LocalAuthority.objects.all() if same_council(la.name, local_authority)
    ]
    areas = AreaForImprovement.objects.filter(
        inspection__local_authority__in=same_place
    ).select_related("inspection")
    if before:
        areas = areas.filter(inspection__start_date__lt=before)
    return list(areas.order_by("-inspection__start_date", "order"))


def area_choice_label(area: AreaForImprovement) -> str:
    inspection = area.inspection
    return (
        f"{inspection.get_kind_display()} {inspection.start_date:%B %Y}, area {area.order}: "
        f"{area.label}"
    )


# --- Is this our council? -------------------------------------------------------------------

# Words that say what kind of council it is, not which one.
_COUNCIL_WORDS = {
    "council", "city", "county", "borough", "metropolitan", "district", "london", "royal",
    "of", "the", "and", "local", "authority", "authorities", "unitary",
}  # fmt: skip


def _place_words(name: str) -> set[str]:
    words = re.findall(r"[a-z]+", name.lower().replace("&", " and "))
    return {word for word in words if word not in _COUNCIL_WORDS}


def same_council(one: str | None, other: str | None) -> bool:
    """Whether two names are the same council, loosely: "Medway" is "Medway Council",
    "Liverpool" is "Liverpool City Council", "Brighton & Hove" is "Brighton and Hove City
    Council"; "Harrow" is not "Medway Council", and "North Yorkshire" is not "Yorkshire"
    (the place's own words must all agree: a needless warning is better than a missed one)."""
    mine = _place_words(one or "")
    return bool(mine) and mine == _place_words(other or "")


# --- Is this file a document we can read? ---------------------------------------------------

_MARKUP = re.compile(rb"^\s*(?:<!doctype\s+html|<html|<head|<body|<\?xml|<svg|<!--)", re.IGNORECASE)


def refuse_unreadable(content: bytes, filename: str) -> str | None:
    """Why this file cannot be an Ofsted report or letter, or None if it may be one.

    The parser reads a PDF or plain text; a web page saved from the Ofsted site (often
    still named .pdf) would read as text and give an empty draft, so it is refused here."""
    name = f"“{filename}”" if filename else "The file"
    head = bytes(content[:2048]).lstrip(b"\xef\xbb\xbf")
    if not uploads.has_pdf_header(content) and _MARKUP.match(head):
        return (
            f"{name} is a web page (HTML), not the report’s PDF. On the Ofsted website, "
            "download the PDF of the report itself, or copy the report’s text and paste it in."
        )
    return None


def draft_summary(draft: dict) -> dict:
    """One line about a draft for the list of documents uploaded together."""
    kind = draft.get("inspection_type")
    label = Inspection.Kind(kind).label if kind in Inspection.Kind.values else "Type not read"
    start = draft.get("start_date")
    return {
        "read_as": ", ".join(part for part in (label, draft.get("local_authority")) if part),
        "start": dt.date.fromisoformat(start) if start else None,
        "area_count": len(draft.get("areas_for_improvement") or [])
        + len(draft.get("priority_actions") or []),
    }
