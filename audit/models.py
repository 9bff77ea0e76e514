"""The audit trail, read across every event table.

Each audited model has `@pghistory.track()` on it (see the README, "Audit trail"); its
database triggers write an event row for every insert, update and delete, whatever made
the change. `AuditEvent` reads all those tables as one, with the context of each change.
"""

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from pghistory.models import Context, Events

from core.triggers import Refuse


class AuditEvent(Events):
    """Every audited change, newest or oldest first, with who, where from and the diff."""

    user = pghistory.ProxyField(
        "pgh_context__user",
        models.ForeignKey(
            settings.AUTH_USER_MODEL,
            on_delete=models.DO_NOTHING,
            null=True,
            help_text="The person who made the change.",
        ),
    )
    url = pghistory.ProxyField(
        "pgh_context__url", models.TextField(null=True, help_text="The page that made it.")
    )
    source = pghistory.ProxyField(
        "pgh_context__source",
        models.TextField(null=True, help_text="web, admin, task, import or command."),
    )
    request_id = pghistory.ProxyField(
        "pgh_context__request_id",
        models.TextField(null=True, help_text="Matches the request_id in the logs."),
    )

    class Meta:
        proxy = True
        verbose_name = "audit event"
        verbose_name_plural = "audit trail"


class ChangeContext(Context):
    """Who made each change and from where (pghistory's context table), protected here
    because it is pghistory's model: its rows can never be deleted, and only pghistory's own
    upsert, inside the same context, may add to one. Event tables are protected by pghistory
    itself (PGHISTORY_APPEND_ONLY)."""

    class Meta:
        proxy = True
        triggers = [
            Refuse(
                name="context_not_deleted",
                operation=pgtrigger.Delete,
                message="audit context rows cannot be deleted",
            ),
            Refuse(
                name="context_not_changed",
                operation=pgtrigger.Update,
                condition=pgtrigger.Condition(
                    'OLD."id" <> NEW."id" OR OLD."created_at" <> NEW."created_at" '
                    "OR current_setting('pghistory.context_id', true) "
                    'IS DISTINCT FROM OLD."id"::text'
                ),
                message="audit context rows cannot be changed",
            ),
        ]
