"""Signing in: throttling, two-factor authentication, password rules, session expiry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from medway_improve.middleware import SessionRefreshMiddleware
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-staple"


def sign_in(client: Client, username: str, password: str = PASSWORD, url=None):
    return client.post(
        url or reverse("accounts:login"), {"username": username, "password": password}
    )


def wait_out_throttle(device: TOTPDevice) -> None:
    """As if the person waited: django-otp pauses a device after each wrong code."""
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - dt.timedelta(hours=1)
    )


def code_for(device: TOTPDevice, *, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset * device.step
    return f"{totp.token():06d}"


# --- Throttling (django-axes) -------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_out_with_a_friendly_page(client, officer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in(client, officer.username, "wrong-password-123")
        assert response.status_code == 200
        assert b"Enter a correct username and password" in response.content
    response = sign_in(client, officer.username, "wrong-password-123")
    assert response.status_code == 429
    assert b"Too many attempts to sign in" in response.content
    assert b"15 minutes" in response.content
    assert b"govuk-heading-l" in response.content
    # Even the right password is refused during the cool-off.
    response = sign_in(client, officer.username)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_ends_after_the_cool_off(client, officer, settings):
    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, officer.username, "wrong-password-123")
    assert sign_in(client, officer.username).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    response = sign_in(client, officer.username)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(officer.pk)


def test_lockout_is_per_username_and_address(client, officer, other_officer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, officer.username, "wrong-password-123")
    assert sign_in(client, other_officer.username).status_code == 302
    other_address = Client(REMOTE_ADDR="10.0.0.9")
    assert sign_in(other_address, officer.username).status_code == 302


def test_a_successful_sign_in_resets_the_count(client, officer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, officer.username, "wrong-password-123")
    assert sign_in(client, officer.username).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, officer.username, "wrong-password-123")
    assert sign_in(client, officer.username).status_code == 302


def test_admin_login_is_throttled_too(client, administrator, settings):
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, administrator.username, "wrong-password-123", url=url)
    response = sign_in(client, administrator.username, url=url)
    assert response.status_code == 429
    assert b"Too many attempts to sign in" in response.content


# --- Password rules -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "password,reason",
    [
        ("short-pass1", "too short"),
        ("password1234", "too common"),
        ("123456789012345", "entirely numeric"),
        ("sam.patel1234", "too similar"),
    ],
)
def test_weak_passwords_are_refused(password, reason):
    user = UserFactory.build(username="sam.patel", first_name="Sam", last_name="Patel")
    with pytest.raises(ValidationError) as error:
        validate_password(password, user=user)
    assert reason in " ".join(error.value.messages)


def test_a_long_passphrase_is_accepted():
    validate_password("correct horse battery staple", user=UserFactory.build())


# --- Session expiry after inactivity --------------------------------------------------------


def test_each_request_extends_the_session(as_user, officer, settings):
    client = as_user(officer)
    client.get(reverse("dashboard"))
    session = Session.objects.get(session_key=client.session.session_key)
    remaining = session.expire_date - timezone.now()
    assert dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60) < remaining
    assert remaining <= dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def _session_row(client):
    return Session.objects.get(session_key=client.session.session_key)


def test_activity_pushes_the_expiry_back_at_most_once_a_minute(as_user, officer, settings):
    client = as_user(officer)
    client.get(reverse("dashboard"))
    # Twenty minutes of inactivity later (the expiry is ten minutes away)...
    soon = timezone.now() + dt.timedelta(minutes=10)
    Session.objects.filter(pk=_session_row(client).pk).update(expire_date=soon)

    # ...a request within the minute since the session was last saved writes nothing.
    client.get(reverse("actions:action_list"))
    assert _session_row(client).expire_date == soon

    # Once the last save is a minute old, the next request gives thirty minutes again.
    stored = client.session
    stamp = stored[SessionRefreshMiddleware.STAMP]
    session = _session_row(client)
    data = session.get_decoded() | {SessionRefreshMiddleware.STAMP: stamp - 60}
    Session.objects.filter(pk=session.pk).update(
        session_data=SessionStore().encode(data), expire_date=soon
    )
    client.get(reverse("actions:action_list"))
    remaining = _session_row(client).expire_date - timezone.now()
    assert remaining > dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


def test_signed_out_visitors_are_not_given_a_session(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert not Session.objects.exists()


def test_thirty_minutes_of_inactivity_signs_you_out(as_user, officer):
    client = as_user(officer)
    assert client.get(reverse("dashboard")).status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_session_cookie_is_httponly_and_same_site(client, officer):
    response = sign_in(client, officer.username)
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_signing_in_changes_the_session_key(client, officer):
    client.get(reverse("accounts:login"))
    client.session["planted"] = "x"
    before = client.cookies.get("sessionid")
    sign_in(client, officer.username)
    assert client.cookies["sessionid"].value != (before.value if before else None)


# --- Two-factor authentication ------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.IMPROVEMENT_LEAD, Role.ADMINISTRATOR])
def test_leads_and_administrators_must_set_up_two_factor_first(client, role):
    user = UserFactory(role=role, is_staff=role == Role.ADMINISTRATOR)
    response = sign_in(client, user.username)
    assert response.status_code == 302
    response = client.get(reverse("actions:action_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:mfa_setup"))
    assert "next=%2Factions%2F" in response["Location"]
    # Nothing else either, the admin included.
    for url in (reverse("dashboard"), reverse("admin:index"), reverse("audit:history_export")):
        assert client.get(url)["Location"].startswith(reverse("accounts:mfa_setup")), url


def test_setting_up_two_factor_with_a_correct_code(client, lead):
    sign_in(client, lead.username)
    page = client.get(reverse("accounts:mfa_setup"), {"next": "/actions/"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and 'aria-label="QR code for your authenticator app"' in html
    device = TOTPDevice.objects.get(user=lead, confirmed=False)
    # The text secret is the device's key in base32, for people who cannot scan.
    from base64 import b32encode

    assert b32encode(device.bin_key).decode()[:4] in html
    # Reloading keeps the same secret.
    client.get(reverse("accounts:mfa_setup"))
    assert TOTPDevice.objects.filter(user=lead).count() == 1

    wrong = client.post(reverse("accounts:mfa_setup"), {"code": "000000", "next": "/actions/"})
    assert wrong.status_code == 422
    assert b"That code is not right" in wrong.content
    too_soon = client.post(reverse("accounts:mfa_setup"), {"code": code_for(device)})
    assert b"Too many wrong codes" in too_soon.content
    wait_out_throttle(device)

    response = client.post(
        reverse("accounts:mfa_setup"), {"code": code_for(device, offset=1), "next": "/actions/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/actions/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("actions:action_list")).status_code == 200


def test_next_sign_in_asks_for_a_code(client, lead):
    device = TOTPDevice.objects.create(user=lead, name="App", confirmed=True)
    sign_in(client, lead.username)
    response = client.get(reverse("dashboard"))
    assert response["Location"].startswith(reverse("accounts:mfa_verify"))
    bad = client.post(reverse("accounts:mfa_verify"), {"code": "12ab56"})
    assert bad.status_code == 422
    assert b"The code is 6 digits" in bad.content
    good = client.post(reverse("accounts:mfa_verify"), {"code": code_for(device), "next": "/"})
    assert good.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_code_cannot_be_used_twice(lead):
    device = TOTPDevice.objects.create(user=lead, name="App", confirmed=True)
    code = code_for(device)
    first, second = Client(), Client()
    for client in (first, second):
        sign_in(client, lead.username)
    assert first.post(reverse("accounts:mfa_verify"), {"code": code}).status_code == 302
    assert second.post(reverse("accounts:mfa_verify"), {"code": code}).status_code == 422


def test_wrong_codes_are_throttled(client, lead):
    device = TOTPDevice.objects.create(user=lead, name="App", confirmed=True)
    sign_in(client, lead.username)
    for _ in range(3):
        client.post(reverse("accounts:mfa_verify"), {"code": "000000"})
    response = client.post(reverse("accounts:mfa_verify"), {"code": code_for(device)})
    assert response.status_code == 422
    assert b"Too many wrong codes" in response.content


def test_officers_do_not_need_two_factor_but_can_turn_it_on_and_off(client, officer):
    sign_in(client, officer.username)
    assert client.get(reverse("dashboard")).status_code == 200
    page = client.get(reverse("accounts:mfa_settings"))
    assert b"Two-factor authentication is <strong>off</strong>" in page.content
    client.get(reverse("accounts:mfa_setup"))
    device = TOTPDevice.objects.get(user=officer)
    client.post(reverse("accounts:mfa_setup"), {"code": code_for(device)})
    page = client.get(reverse("accounts:mfa_settings"))
    assert b"Two-factor authentication is <strong>on</strong>" in page.content

    # From now on the officer is asked for a code after signing in.
    other = Client()
    sign_in(other, officer.username)
    assert other.get(reverse("dashboard"))["Location"].startswith(reverse("accounts:mfa_verify"))

    # Turning it off needs a current code.
    assert client.post(reverse("accounts:mfa_disable"), {"code": "111111"}).status_code == 422
    assert TOTPDevice.objects.filter(user=officer).exists()
    wait_out_throttle(device)
    response = client.post(reverse("accounts:mfa_disable"), {"code": code_for(device, offset=1)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=officer).exists()


def test_leads_cannot_turn_two_factor_off(as_user, lead):
    client = as_user(lead)
    response = client.post(reverse("accounts:mfa_disable"), {"code": "123456"})
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=lead, confirmed=True).exists()


def test_signing_out_needs_no_code(client, lead):
    TOTPDevice.objects.create(user=lead, name="App", confirmed=True)
    sign_in(client, lead.username)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_htmx_requests_are_redirected_to_the_code_page(client, lead):
    TOTPDevice.objects.create(user=lead, name="App", confirmed=True)
    sign_in(client, lead.username)
    response = client.get(reverse("actions:action_list"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("accounts:mfa_verify")


def test_two_factor_requirement_can_be_turned_off_for_demos(client, lead, settings):
    settings.MFA_REQUIRED = False
    sign_in(client, lead.username)
    assert client.get(reverse("dashboard")).status_code == 200


# --- Absolute session lifetime (issue 15, item 6) ---------------------------------------------


def _age_session(client, seconds: int) -> None:
    from medway_improve.middleware import SessionLifetimeMiddleware

    session = client.session
    session[SessionLifetimeMiddleware.STAMP] -= seconds
    session.save()


def test_activity_does_not_extend_a_session_beyond_twelve_hours(client, officer, settings):
    assert settings.SESSION_MAX_LIFETIME_SECONDS == 12 * 60 * 60
    sign_in(client, officer.username)
    assert client.get(reverse("dashboard")).status_code == 200
    _age_session(client, settings.SESSION_MAX_LIFETIME_SECONDS - 60)
    assert client.get(reverse("dashboard")).status_code == 200  # still within the day
    _age_session(client, 120)
    response = client.get(reverse("actions:action_list"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next=%2Factions%2F"
    assert "_auth_user_id" not in client.session
    # Signing in again starts a new twelve hours.
    sign_in(client, officer.username)
    assert client.get(reverse("actions:action_list")).status_code == 200


def test_an_htmx_request_past_the_lifetime_is_sent_to_sign_in(as_user, officer, settings):
    client = as_user(officer)
    client.get(reverse("dashboard"))
    _age_session(client, settings.SESSION_MAX_LIFETIME_SECONDS + 1)
    response = client.get(reverse("actions:action_list"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == reverse("accounts:login")
