"""The one rule for suggesting a short title for an area for improvement.

Ofsted words each area as a long noun phrase ("The quality and effectiveness of management
oversight and supervision to make sure that children are protected from significant harm.").
Pages, lists and the board pack need a heading: the suggestion is its leading noun phrase,
cut where the first clause begins ("to make sure…", ", including…", "for children who…")
and, if still too long, at the last whole word that fits. Never mid-word, no dangling "and"
or "of", no trailing cross-reference such as "(Outcome 4, national framework)".
The lead can edit it on the review form; `AreaForImprovement.label` uses it when no short
title is saved.
"""

from __future__ import annotations

import re

MAX_LENGTH = 80

# Words that start the clause after the leading noun phrase.
_CLAUSE_WORDS = {
    "to", "for", "so", "including", "which", "that", "who", "where", "when", "because",
    "through", "by", "at", "about", "across", "within", "between", "particularly",
    "especially", "available", "provided", "placed", "does", "do",
}  # fmt: skip
# "to" after these nouns is part of the phrase: "access to", "the response to".
_TAKES_TO = {
    "access", "response", "responses", "return", "ability", "approach", "commitment",
    "contribution", "exposure", "transition", "transitions", "referral", "referrals",
    "entitlement", "entitlements", "rights", "right", "extent", "relation", "regard",
}  # fmt: skip
# A relative clause after these words says who is meant: "children who go missing".
_PEOPLE = {
    "children", "child", "people", "person", "persons", "families", "family", "carers",
    "parents", "leavers", "adults", "adolescents", "teenagers", "girls", "boys", "those",
}  # fmt: skip
_JOINTS = {"and", "or", "of", "in", "to", "for", "with", "from", "on"}
_RELATIVE = {"who", "which", "that", "where", "when"}
# Words that never end a title.
_DANGLING = {
    "a", "an", "and", "or", "the", "of", "to", "for", "in", "on", "with", "at", "by", "from",
    "their", "its", "his", "her", "and/or", "as", "into", "that", "so", "both", "all", "any",
    "ensure", "make", "making", "which", "who",
}  # fmt: skip
_FUNCTION = _DANGLING | {"is", "are", "be"}
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_CROSS_REFERENCE = re.compile(r"\s*\([^()]*\)\s*$")
_CLAUSE_PUNCTUATION = re.compile(r"\s*(?:[,;:]|\s[–—-]\s)")
_WORD = re.compile(r"\S+")


def _content_words(words: list[str]) -> int:
    return sum(1 for word in words if word.lower().strip(",;:") not in _FUNCTION)


def _bare(word: str) -> str:
    return word.lower().strip(",;:.").replace("’", "'").removesuffix("'s").rstrip("'")


def _starts_clause(words: list[str], index: int) -> bool:
    word = words[index].lower()
    if not index or word not in _CLAUSE_WORDS or _content_words(words[:index]) < 2:
        return False
    before = _bare(words[index - 1])
    if word == "to" and before in _TAKES_TO:
        return False
    return not (word in _RELATIVE and before in _PEOPLE)


def _trim(words: list[str]) -> list[str]:
    words = list(words)
    while words and (words[-1].lower().strip(",;:.") in _DANGLING or not words[-1].strip(",;:.")):
        words.pop()
    if words:
        words[-1] = words[-1].rstrip(",;:.")
    return words


def suggest_short_title(text: str, *, max_length: int = MAX_LENGTH) -> str:
    """A heading for an area for improvement: its leading noun phrase, whole words only."""
    text = " ".join(text.split())
    text = _CROSS_REFERENCE.sub("", text.rstrip(" .")).rstrip(" .")
    text = _LEADING_ARTICLE.sub("", text)
    if not text:
        return ""
    # Up to the first comma or dash that follows at least two content words.
    pieces = _CLAUSE_PUNCTUATION.split(text)
    phrase = pieces[0]
    for piece in pieces[1:]:
        if _content_words(_WORD.findall(phrase)) >= 2:
            break
        phrase = f"{phrase}, {piece.strip()}"
    words = _WORD.findall(phrase)
    for index in range(len(words)):
        if _starts_clause(words, index):
            words = words[:index]
            break
    words = _trim(words)
    if len(" ".join(words)) > max_length:
        kept: list[str] = []
        for word in words:
            if len(" ".join([*kept, word])) > max_length:
                break
            kept.append(word)
        # The rest did not fit: end at the last joint ("… and", "… of", "… in") that leaves a
        # phrase of its own, rather than at whatever word happened to fit.
        for index in range(len(kept) - 1, 0, -1):
            if kept[index].lower() in _JOINTS and _content_words(kept[:index]) >= 2:
                kept = kept[:index]
                break
        words = _trim(kept) or [words[0][:max_length]]
    title = " ".join(words)
    return title[:1].upper() + title[1:]
