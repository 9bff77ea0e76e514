"""Passwords and second factors changing hands: a person changing their own password, and an
administrator resetting someone's password or two-factor authentication. Each is recorded in
the audit trail as an event on the person's account (the password itself never is)."""

from __future__ import annotations

import pghistory
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest

from accounts import permissions

# Audit-trail labels (registered as pghistory.ManualEvent on User in accounts/models.py).
PASSWORD_CHANGED = "password_changed"  # noqa: S105 (an event label)
PASSWORD_RESET = "password_reset"  # noqa: S105
TWO_FACTOR_RESET = "two_factor_reset"
LABELS = {
    PASSWORD_CHANGED: "Password changed by its owner",
    PASSWORD_RESET: "Password reset by an administrator",
    TWO_FACTOR_RESET: "Two-factor authentication reset by an administrator",
}


def event_record(*, user, label: str) -> None:
    """An audit event on the person's account; who did it comes from the audit context
    (the signed-in person and the page, set by the audit middleware)."""
    pghistory.create_event(user, label=label)


@transaction.atomic
def user_password_change(*, request: HttpRequest, user, password: str) -> None:
    """The signed-in person sets a new password (the form has checked the old one and the
    password rules). Their other sessions end; this one stays signed in."""
    if request.user.pk != user.pk:
        raise PermissionDenied("People change only their own password.")
    user.set_password(password)
    user.save(update_fields=["password"])
    update_session_auth_hash(request, user)
    event_record(user=user, label=PASSWORD_CHANGED)


@transaction.atomic
def user_password_reset_record(*, administrator, user) -> None:
    """An administrator has set someone's password in the admin: record it."""
    if not permissions.can_reset_credentials(administrator, user):
        raise PermissionDenied("Only an administrator can reset someone's password.")
    event_record(user=user, label=PASSWORD_RESET)
