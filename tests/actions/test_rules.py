"""The plan's rules as plain functions: no database, one wording each."""

import ast
import datetime as dt
from pathlib import Path

import pytest

from actions import rules
from tests.factories import TODAY

DAY = dt.timedelta(days=1)


def test_a_due_date_before_the_start_is_refused_naming_the_start_date():
    start = dt.date(2026, 6, 1)
    assert rules.due_date_problem(start_date=start, due_date=start - DAY) == (
        "The due date cannot be before the start date, 1 June 2026."
    )


@pytest.mark.parametrize("due_in_days", [0, 1, 400])
def test_a_due_date_on_or_after_the_start_is_fine(due_in_days):
    assert rules.due_date_problem(start_date=TODAY, due_date=TODAY + due_in_days * DAY) is None


@pytest.mark.parametrize("missing", ["start_date", "due_date"])
def test_a_date_not_given_is_not_this_rules_business(missing):
    dates = {"start_date": TODAY, "due_date": TODAY - DAY} | {missing: None}
    assert rules.due_date_problem(**dates) is None


@pytest.mark.parametrize(
    ("percent", "ok"), [(None, True), (0, True), (100, True), (-1, False), (101, False)]
)
def test_percent_complete_is_0_to_100(percent, ok):
    problem = rules.percent_complete_problem(percent)
    assert problem is None if ok else problem == "Percent complete must be between 0 and 100."


def test_completing_without_evidence_asks_for_it_where_the_person_gives_it():
    assert rules.completion_evidence_problem(
        becomes_complete=True, has_evidence=False, how=" (an Evidence column)"
    ) == ("Give evidence that the action is complete (an Evidence column).")


@pytest.mark.parametrize(
    ("becomes_complete", "has_evidence"), [(True, True), (False, False), (False, True)]
)
def test_evidence_is_needed_only_to_become_complete(becomes_complete, has_evidence):
    assert (
        rules.completion_evidence_problem(
            becomes_complete=becomes_complete, has_evidence=has_evidence
        )
        is None
    )


def test_the_rules_module_imports_nothing_but_the_standard_library():
    tree = ast.parse(Path(rules.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported <= {"__future__", "datetime"}
