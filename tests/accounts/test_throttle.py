"""Lock-out behind the TLS proxy, and the username-wide growing delay (issue 15, item 2)."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from accounts.throttle import username_delay
from tests.accounts.test_login_security import sign_in

pytestmark = pytest.mark.django_db
PROXY = "172.18.0.2"  # the TLS proxy's address on the compose network
WRONG = "wrong-password-123"


def through_proxy(client_address: str, forwarded_for: str | None = None) -> Client:
    """A visitor at `client_address` reaching the app through the proxy, which appends the
    address it received the request from to X-Forwarded-For."""
    header = f"{forwarded_for}, {client_address}" if forwarded_for else client_address
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=header)


def test_behind_the_proxy_one_visitors_guesses_do_not_lock_out_another(lead, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    guesser = through_proxy("203.0.113.7")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(guesser, lead.username, WRONG)
    assert sign_in(guesser, lead.username).status_code == 429
    # The lead, at the office, comes through the same proxy: not locked out.
    assert sign_in(through_proxy("198.51.100.20"), lead.username).status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


def test_a_typed_forwarded_for_header_does_not_buy_more_guesses(lead, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(through_proxy("203.0.113.7", forwarded_for=f"10.9.9.{n}"), lead.username, WRONG)
    response = sign_in(through_proxy("203.0.113.7", forwarded_for="10.9.9.99"), lead.username)
    assert response.status_code == 429


def test_without_a_trusted_proxy_the_header_is_ignored(lead, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(through_proxy(f"203.0.113.{n}"), lead.username, WRONG)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {PROXY}


def test_guesses_spread_over_many_addresses_meet_a_growing_delay(officer, settings):
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 8
    per_address = settings.AXES_FAILURE_LIMIT - 1  # never enough to lock one address out
    for address in range(2):
        for _ in range(per_address):
            assert (
                sign_in(
                    Client(REMOTE_ADDR=f"203.0.113.{address}"), officer.username, WRONG
                ).status_code
                == 200
            )
    # Eight failures from anywhere: the username now waits, even with the right password.
    response = sign_in(Client(REMOTE_ADDR="198.51.100.1"), officer.username)
    assert response.status_code == 429
    assert response["Retry-After"] == "1"
    assert b"wait 1 second" in response.content
    # A delay, not a lock: once it has passed, the right password works.
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(seconds=5))
    assert sign_in(Client(REMOTE_ADDR="198.51.100.1"), officer.username).status_code == 302


def test_the_delay_doubles_up_to_the_cool_off(settings):
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 20
    assert username_delay(19) == dt.timedelta(0)
    assert [username_delay(n).total_seconds() for n in (20, 21, 22, 25)] == [1, 2, 4, 32]
    assert username_delay(500) == settings.AXES_COOLOFF_TIME
