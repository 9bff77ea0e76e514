"""The improvement plan's rules for one action, as plain functions over values.

No database and no models: each function takes the values a change would leave and returns
the message that explains the broken rule, or None. An officer's update, a lead's create and
edit (actions/services.py) and the plan import (imports/) all call these, so each rule is
written, and worded, once. The database constraints on Action stay as the backstop.
"""

from __future__ import annotations

import datetime as dt

PERCENT_RANGE = "Percent complete must be between 0 and 100."
EVIDENCE_FOR_COMPLETE = "Give evidence that the action is complete"


def as_date(value: dt.date) -> str:
    """A date as the plan's messages write it: 1 June 2026."""
    return f"{value:%-d %B %Y}"


def due_date_problem(*, start_date: dt.date | None, due_date: dt.date | None) -> str | None:
    """The due date is not before the start date."""
    if start_date is not None and due_date is not None and due_date < start_date:
        return f"The due date cannot be before the start date, {as_date(start_date)}."
    return None


def percent_complete_problem(percent_complete: int | None) -> str | None:
    """Percent complete is a whole number from 0 to 100 (None: not being set)."""
    if percent_complete is not None and not 0 <= percent_complete <= 100:
        return PERCENT_RANGE
    return None


def completion_evidence_problem(
    *, becomes_complete: bool, has_evidence: bool, how: str = ""
) -> str | None:
    """An action that becomes complete needs evidence: given with the change, or recorded
    before. `how` tells the person where to give it, for example " (an Evidence column)"."""
    if becomes_complete and not has_evidence:
        return f"{EVIDENCE_FOR_COMPLETE}{how}."
    return None
