"""Who is guessing passwords, and how long they wait (django-axes, configured in settings).

Two rules, both counted over AXES_COOLOFF_TIME:
- one person at one address: after AXES_FAILURE_LIMIT wrong passwords for a username from
  one client address, that pair waits out the cool-off (axes' own lock-out);
- one username from anywhere: after LOGIN_USERNAME_FAILURE_LIMIT wrong passwords across all
  addresses, every further attempt for it waits a delay that doubles with each failure
  (1 s, 2 s, 4 s ... up to the cool-off). Spreading guesses over many addresses buys
  little, and nobody can lock a colleague out for long.

The client address is the one the TLS proxy saw: behind TRUSTED_PROXY_COUNT proxies, the
entry that many places from the right of X-Forwarded-For (each proxy appends the address it
received the request from, so entries further left could be typed by anyone).
"""

from __future__ import annotations

import datetime as dt
import ipaddress

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest
from django.utils import timezone


def client_ip(request: HttpRequest) -> str | None:
    """The client's address (AXES_CLIENT_IP_CALLABLE): REMOTE_ADDR when no proxy is trusted,
    else the address the outermost trusted proxy received the request from."""
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote  # not through every proxy: only the connection's address is known
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def username_delay(failures: int) -> dt.timedelta:
    """How long a username waits after `failures` wrong passwords from anywhere."""
    over = failures - settings.LOGIN_USERNAME_FAILURE_LIMIT
    if over < 0:
        return dt.timedelta(0)
    cap = settings.AXES_COOLOFF_TIME.total_seconds()
    return dt.timedelta(seconds=min(2.0 ** min(over, 30), cap))


def username_wait(username: str | None, *, now: dt.datetime | None = None) -> dt.timedelta:
    """What is left of the username's delay (zero if it may try now)."""
    if not username:
        return dt.timedelta(0)
    now = now or timezone.now()
    recent = AccessAttempt.objects.filter(
        username=username, attempt_time__gte=now - settings.AXES_COOLOFF_TIME
    ).aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    if not recent["failures"]:
        return dt.timedelta(0)
    until = recent["last"] + username_delay(recent["failures"])
    return max(until - now, dt.timedelta(0))


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler (per username and address) plus the username-wide delay."""

    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            return True
        wait = username_wait(get_client_username(request, credentials))
        if wait:
            request.axes_locked_out = True
            request.login_wait = wait
            return True
        return False
