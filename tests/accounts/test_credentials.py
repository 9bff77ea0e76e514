"""Replacing a second factor, changing and resetting passwords, and the two-factor setting
(issue 15: items 1, 7 and 8)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from tests.accounts.test_login_security import PASSWORD, code_for, sign_in, wait_out_throttle
from tests.security.test_web_security import production_env

pytestmark = pytest.mark.django_db
SETUP = "accounts:mfa_setup"


def _events(user, label):
    return AuditEvent.objects.filter(
        pgh_obj_model="accounts.User", pgh_obj_id=str(user.pk), pgh_label=label
    )


# --- 1. The password alone never replaces a second factor -----------------------------------


def test_a_password_alone_cannot_replace_a_confirmed_device(client, lead):
    """The probe: sign in with the password, open set-up, confirm a new secret."""
    own = TOTPDevice.objects.create(user=lead, name="Own phone", confirmed=True)
    sign_in(client, lead.username)
    page = client.get(reverse(SETUP))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("accounts:mfa_verify"))
    assert not TOTPDevice.objects.filter(user=lead, confirmed=False).exists()  # no new secret

    # Even posting a code from a device the attacker made is refused.
    planted = TOTPDevice.objects.create(user=lead, name="Attacker", confirmed=False)
    response = client.post(reverse(SETUP), {"code": code_for(planted)})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:mfa_verify"))
    planted.refresh_from_db()
    assert not planted.confirmed
    assert TOTPDevice.objects.filter(pk=own.pk, confirmed=True).exists()
    # ...and nothing else opens.
    for url in (reverse("dashboard"), reverse("admin:index"), reverse("audit:history_export")):
        assert client.get(url)["Location"].startswith(reverse("accounts:mfa_verify")), url
    # The owner's own app still works.
    ok = client.post(reverse("accounts:mfa_verify"), {"code": code_for(own), "next": "/"})
    assert ok.status_code == 302


def test_a_verified_session_replaces_the_device_with_codes_from_both(client, lead):
    own = TOTPDevice.objects.create(user=lead, name="Own phone", confirmed=True)
    sign_in(client, lead.username)
    client.post(reverse("accounts:mfa_verify"), {"code": code_for(own)})

    page = client.get(reverse(SETUP))
    assert page.status_code == 200
    assert b"Code from the app you use now" in page.content
    new = TOTPDevice.objects.get(user=lead, confirmed=False)

    # A code from the new app alone is not enough.
    missing = client.post(reverse(SETUP), {"code": code_for(new)})
    assert missing.status_code == 422
    assert b"Enter the 6-digit code from the app you use now" in missing.content
    wrong = client.post(reverse(SETUP), {"current_code": "000000", "code": code_for(new)})
    assert wrong.status_code == 422
    assert TOTPDevice.objects.filter(pk=own.pk, confirmed=True).exists()

    wait_out_throttle(own)
    response = client.post(
        reverse(SETUP),
        {"current_code": code_for(own, offset=1), "code": code_for(new, offset=1)},
    )
    assert response.status_code == 302
    assert list(TOTPDevice.objects.filter(user=lead).values_list("pk", "confirmed")) == [
        (new.pk, True)
    ]


def test_people_see_their_devices_and_when_each_was_last_used(client, officer):
    device = TOTPDevice.objects.create(user=officer, name="Authenticator app", confirmed=True)
    sign_in(client, officer.username)
    client.post(reverse("accounts:mfa_verify"), {"code": code_for(device)})
    device.refresh_from_db()
    assert device.last_used_at is not None
    page = client.get(reverse("accounts:mfa_settings")).content.decode()
    assert "Your devices" in page and "Authenticator app" in page
    assert date_format(localtime(device.last_used_at), "DATETIME_FORMAT") in page
    assert "Not used yet" not in page


def test_an_administrators_reset_is_audited_and_lets_the_person_set_up_again(
    as_user, administrator, lead
):
    TOTPDevice.objects.create(user=lead, name="Lost phone", confirmed=True)
    admin = as_user(administrator)
    response = admin.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [lead.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=lead).exists()
    event = _events(lead, "two_factor_reset").get()
    assert event.pgh_context["user"] == administrator.pk

    # The lead signs in with the password and is sent to set up a new app.
    client = Client()
    sign_in(client, lead.username)
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse(SETUP))


def test_only_administrators_reset_a_second_factor(lead, officer):
    from django.core.exceptions import PermissionDenied

    from accounts import mfa

    with pytest.raises(PermissionDenied):
        mfa.mfa_reset_by_administrator(administrator=lead, user=officer)


# --- 7. Passwords --------------------------------------------------------------------------


def test_people_change_their_own_password(client, officer):
    sign_in(client, officer.username)
    other = Client()
    sign_in(other, officer.username)
    url = reverse("accounts:password_change")
    assert client.get(url).status_code == 200
    weak = client.post(
        url, {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"}
    )
    assert weak.status_code == 422
    assert b"govuk-error-summary" in weak.content
    wrong = client.post(
        url,
        {
            "old_password": "not-my-password",
            "new_password1": "a new long passphrase",
            "new_password2": "a new long passphrase",
        },
    )
    assert wrong.status_code == 422
    response = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": "a new long passphrase",
            "new_password2": "a new long passphrase",
        },
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password("a new long passphrase")
    assert client.get(reverse("dashboard")).status_code == 200  # still signed in here
    assert other.get(reverse("dashboard")).status_code == 302  # signed out elsewhere
    assert _events(officer, "password_changed").count() == 1


def test_an_administrators_password_reset_is_audited(as_user, administrator, officer):
    admin = as_user(administrator)
    url = reverse("admin:auth_user_password_change", args=[officer.pk])
    response = admin.post(
        url, {"password1": "a reset long passphrase", "password2": "a reset long passphrase"}
    )
    assert response.status_code == 302, response.content[:2000]
    officer.refresh_from_db()
    assert officer.check_password("a reset long passphrase")
    event = _events(officer, "password_reset").get()
    assert event.pgh_context["user"] == administrator.pk


def test_credential_events_read_plainly_in_the_audit_trail(as_user, administrator, officer):
    from audit.selectors import history_for

    admin = as_user(administrator)
    admin.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [officer.pk]},
    )
    entry = history_for(officer)[0]
    assert entry.event == "Two-factor authentication reset by an administrator"
    assert entry.changes == []


# --- 8. Two-factor is its own setting --------------------------------------------------------


def _setting_with(env: dict) -> str:
    code = (
        "import django; django.setup(); "
        "from django.conf import settings as s; print(s.MFA_REQUIRED)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=django_settings.BASE_DIR,
        env=production_env() | {"DJANGO_SETTINGS_MODULE": "medway_improve.settings"} | env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stdout.strip() + result.stderr[-500:]


def test_two_factor_stays_on_when_debug_is_on():
    assert _setting_with({"DEBUG": "1"}) == "True"
    assert _setting_with({"DEBUG": "1", "MFA_REQUIRED": "0"}) == "False"


def test_the_sign_in_page_says_when_two_factor_is_off(client, settings):
    assert (
        b"Two-factor authentication is turned off"
        not in client.get(reverse("accounts:login")).content
    )
    settings.MFA_REQUIRED = False
    page = client.get(reverse("accounts:login")).content.decode()
    assert "Two-factor authentication is turned off" in page


def test_the_demo_turns_two_factor_off_explicitly():
    base = django_settings.BASE_DIR
    assert 'MFA_REQUIRED="${MFA_REQUIRED:-0}"' in (base / "scripts" / "run-demo.sh").read_text()
    assert "demo: export MFA_REQUIRED ?= 0" in (base / "Makefile").read_text()
    assert "\nMFA_REQUIRED=0\n" in (base / ".env.example").read_text()


def test_check_deploy_warns_when_two_factor_is_off():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=django_settings.BASE_DIR,
        env=production_env() | {"MFA_REQUIRED": "0"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "accounts.W001" in result.stdout + result.stderr
