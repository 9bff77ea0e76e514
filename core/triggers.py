"""Rules the database enforces on rows, declared on models with django-pgtrigger.

`Refuse` is pgtrigger's `Protect` (a row-level BEFORE trigger that raises) with the app's own
message instead of pgtrigger's generic one, so a refused write says which rule it broke, and
SQLSTATE 42501 (insufficient_privilege, raised by Django as `ProgrammingError`): nobody,
whatever the code path (ORM, admin, raw SQL), has the right to rewrite these rows.

    class Meta:
        triggers = [append_only()]                      # UPDATE and DELETE refused
        triggers = [Refuse(name="sent_is_frozen", operation=pgtrigger.Update | pgtrigger.Delete,
                           condition=pgtrigger.Q(old__status="sent"),
                           message="delivery % was sent", params=("OLD.id",))]
"""

from __future__ import annotations

from typing import Any

import pgtrigger


class Refuse(pgtrigger.Protect):
    """Refuse `operation` (only when `condition` holds, if given) with `message`, a RAISE
    format string whose each `%` is filled by the SQL expression at the same place in `params`
    (such as `TG_TABLE_NAME` or `OLD.id`)."""

    def __init__(self, *, message: str, params: tuple[str, ...] = (), **kwargs: Any) -> None:
        self.message = message
        self.params = params
        super().__init__(**kwargs)

    def get_func(self, model: Any) -> str:
        text = self.message.replace("'", "''")
        params = "".join(f", {param}" for param in self.params)
        return f"RAISE EXCEPTION '{text}'{params} USING ERRCODE = 'insufficient_privilege';"


def append_only() -> Refuse:
    """Rows that are a record of what was said or done: inserted, never changed or deleted."""
    return Refuse(
        name="append_only",
        operation=pgtrigger.Update | pgtrigger.Delete,
        message="% rows are append-only",
        params=("TG_TABLE_NAME",),
    )
