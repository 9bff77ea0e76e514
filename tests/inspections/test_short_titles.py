"""The short-title rule, over every area for improvement in the hand-annotated real documents."""

import json
import re
from pathlib import Path

import pytest

from inspections.models import AreaForImprovement
from inspections.short_titles import MAX_LENGTH, suggest_short_title

REAL = json.loads((Path(__file__).parent / "real_areas_for_improvement.json").read_text())["items"]
TEXTS = [item["text"] for item in REAL]
DANGLING = {"and", "or", "of", "the", "to", "for", "in", "with", "a", "an", "their"}


def words(text: str) -> list[str]:
    return re.findall(r"[^\s,;:.()]+", text)


def test_the_real_set_is_large_enough_to_mean_something():
    assert len(TEXTS) >= 150
    assert len({item["document"] for item in REAL}) >= 35


@pytest.mark.parametrize("text", TEXTS)
def test_a_suggestion_is_whole_leading_words_of_the_text(text):
    title = suggest_short_title(text)
    assert 0 < len(title) <= MAX_LENGTH
    title_words, text_words = words(title), words(text)
    if text_words[0].lower() in {"the", "a", "an"}:
        text_words = text_words[1:]
    # Never mid-word: every word of the title is a whole word of the text, in order, from
    # its start (the first letter may be made upper case).
    assert [w.lower() for w in title_words] == [w.lower() for w in text_words[: len(title_words)]]
    assert title_words[-1].lower() not in DANGLING
    assert title[0].isupper() or not title[0].isalpha()
    assert not title.endswith((",", ".", ";", ":"))


def test_suggestions_are_shorter_than_long_areas():
    long_ones = [t for t in TEXTS if len(t) > MAX_LENGTH]
    assert long_ones
    assert all(len(suggest_short_title(t)) < len(t) for t in long_ones)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Medway 2019 ILACS: the leading noun phrase, up to where the clause begins.
        (
            "Staffing capacity across children’s social care, early help hubs and leaving care "
            "teams.",
            "Staffing capacity",
        ),
        (
            "The response to risk for children who have experienced neglect, those exposed to "
            "parental domestic abuse and young people in danger of exploitation.",
            "Response to risk",
        ),
        (
            "The system for tracking children who go missing from home, care or education.",
            "System for tracking children who go missing from home",
        ),
        (
            "Leadership direction and assertive action to improve and develop the services to "
            "foster carers and prospective adopters.",
            "Leadership direction and assertive action",
        ),
        # Medway 2023 ILACS and 2025 focused visit.
        (
            "The quality and consistency of management oversight.",
            "Quality and consistency of management oversight",
        ),
        ("The quality of assessment and planning.", "Quality of assessment and planning"),
        # "to" after "access" and a relative clause after "children" belong to the phrase.
        (
            "Care leavers’ access to suitable accommodation.",
            "Care leavers’ access to suitable accommodation",
        ),
        (
            "The response to children who are privately fostered. (outcome 3, national framework)",
            "Response to children who are privately fostered",
        ),
        # The trailing cross-reference is not part of a heading.
        (
            "How consistently the risk assessment tool is applied to support the quality and "
            "impact of work with children who go missing or at risk of exploitation. (Outcome 3 "
            "National Social Care Framework)",
            "How consistently the risk assessment tool is applied",
        ),
        ("PA capacity.", "PA capacity"),
        ("", ""),
    ],
)
def test_suggested_titles_for_real_items(text, expected):
    assert suggest_short_title(text) == expected


def test_a_title_that_does_not_fit_ends_at_a_joint_not_mid_phrase():
    text = (
        "The identification and response to risk and need in the multi-agency safeguarding hub "
        "and the early help service."
    )
    assert suggest_short_title(text) == "Identification and response to risk and need"


def test_label_uses_the_saved_short_title_or_else_the_suggestion():
    text = REAL[0]["text"]
    assert AreaForImprovement(text=text, short_title="Mine").label == "Mine"
    assert AreaForImprovement(text=text).label == suggest_short_title(text)
    long = next(t for t in TEXTS if len(t) > 120)
    assert not AreaForImprovement(text=long).label.endswith("…")
