"""The ID-token check mozilla-django-oidc leaves to us: issuer, audience, and token times
with a tolerance for a clock that differs from the provider's."""

from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import SuspiciousOperation

from accounts import oidc

pytestmark = pytest.mark.sso
ISSUER = "https://login.example/tenant/v2.0"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def backend(settings):
    settings.OIDC_CLOCK_SKEW_SECONDS = 120
    backend = oidc.SsoBackend()
    backend.issuer = ISSUER
    backend.OIDC_RP_CLIENT_ID = "improve"
    backend.OIDC_RP_SIGN_ALGO = "RS256"
    return backend


def token(**changes) -> str:
    """A token issued now; `iat`/`exp` changes are seconds from now (None: left out)."""
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": "improve", "sub": "s1", "iat": 0, "exp": 300}
    claims.update(changes)
    for name in ("iat", "exp"):
        if claims[name] is not None:
            claims[name] += now
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, KEY, "RS256")


def check(backend, value: str) -> dict:
    return backend._verify_jws(value, KEY.public_key())


def test_a_good_token_passes(backend):
    assert check(backend, token())["sub"] == "s1"


@pytest.mark.parametrize(
    "changes",
    [
        {"iss": "https://login.example/other-tenant/v2.0"},
        {"aud": "another-application"},
        {"exp": -600},
        {"iat": 600},
        {"exp": None},
    ],
    ids=["other issuer", "other audience", "expired", "issued in the future", "no expiry"],
)
def test_a_token_not_for_us_or_out_of_time_is_refused(backend, changes):
    with pytest.raises(SuspiciousOperation):
        check(backend, token(**changes))


def test_clocks_a_minute_apart_are_tolerated_and_the_tolerance_is_a_setting(backend, settings):
    # Our clock a minute behind the provider's: the token seems issued in the future.
    assert check(backend, token(iat=60, exp=360))
    settings.OIDC_CLOCK_SKEW_SECONDS = 0
    with pytest.raises(SuspiciousOperation):
        check(backend, token(iat=60, exp=360))


def test_a_token_signed_by_another_key_is_refused(backend):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    forged = jwt.encode(
        {"iss": ISSUER, "aud": "improve", "sub": "s1", "iat": now, "exp": now + 300},
        other,
        "RS256",
    )
    with pytest.raises(SuspiciousOperation):
        check(backend, forged)
