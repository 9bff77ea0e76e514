"""A lead's first sign-in: set up two-factor with the QR code page, then the audit export
and the lockout page; each page passes axe (WCAG 2.2 AA) with the strict CSP on."""

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lead_sets_up_two_factor_then_exports_the_audit_trail(page, live_server, lead):
    sign_in(page, live_server, lead.username, two_factor=False)
    assert "/accounts/two-factor/set-up/" in page.url
    page.get_by_role("heading", name="Set up two-factor authentication").wait_for()
    assert page.get_by_role("img", name="QR code for your authenticator app").is_visible()
    assert axe_violations(page) == []

    device = TOTPDevice.objects.get(user=lead, confirmed=False)
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    page.get_by_label("Code from your authenticator app").fill(f"{code:06d}")
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    page.get_by_text("Two-factor authentication is on.").wait_for()
    assert page.url.rstrip("/") == live_server.url

    page.get_by_role("link", name="Export the audit trail").click()
    page.get_by_role("heading", name="Export the audit trail").wait_for()
    assert axe_violations(page) == []
    page.get_by_label("From").fill("2026-05-02")
    page.get_by_label("To").fill("2026-05-01")
    page.get_by_role("button", name="Download CSV").click()
    page.get_by_text("There is a problem").wait_for()
    assert axe_violations(page) == []
    assert page.js_errors == []


def test_lockout_page_is_accessible(page, live_server, officer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(page, live_server, officer.username, password="wrong-password-123")
    page.get_by_role("heading", name="Too many attempts to sign in").wait_for()
    assert axe_violations(page) == []
    page.goto(f"{live_server.url}{reverse('accounts:login')}")
    assert page.js_errors == []


def _code(device, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset * device.step
    return f"{totp.token():06d}"


def test_lead_moves_two_factor_to_a_new_phone_and_changes_password(
    page, live_server, lead, tmp_path_factory
):
    shots = tmp_path_factory.mktemp("screens")
    old = TOTPDevice.objects.create(user=lead, name="Authenticator app", confirmed=True)
    sign_in(page, live_server, lead.username)  # verifies with the old device
    page.goto(f"{live_server.url}{reverse('accounts:mfa_settings')}")
    page.get_by_role("heading", name="Your devices").wait_for()
    assert axe_violations(page) == []
    page.screenshot(path=shots / "mfa-settings-1280.png", full_page=True)

    page.get_by_role("link", name="Move it to a new phone").click()
    page.get_by_role("heading", name="Move two-factor authentication to a new phone").wait_for()
    assert axe_violations(page) == []
    new = TOTPDevice.objects.get(user=lead, confirmed=False)
    page.get_by_label("Code from the app you use now").fill(_code(old, offset=1))
    page.get_by_label("Code from the new app").fill(_code(new))
    page.get_by_role("button", name="Use the new app").click()
    page.get_by_text("Two-factor authentication has moved to your new app.").wait_for()
    assert list(TOTPDevice.objects.filter(user=lead).values_list("pk", flat=True)) == [new.pk]

    page.get_by_role("link", name="Change your password").first.click()
    page.get_by_role("heading", name="Change your password").wait_for()
    page.get_by_role("button", name="Change password").click()
    page.get_by_text("There is a problem").wait_for()
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=shots / "password-change-390.png", full_page=True)
    assert page.js_errors == []
    print(f"\nscreenshots in {shots}")


def test_sign_in_page_says_when_two_factor_is_off(page, live_server, settings, tmp_path_factory):
    settings.MFA_REQUIRED = False
    page.goto(f"{live_server.url}{reverse('accounts:login')}")
    page.get_by_text("Two-factor authentication is turned off").wait_for()
    assert axe_violations(page) == []
    page.screenshot(path=tmp_path_factory.mktemp("screens") / "login-demo-1280.png")
