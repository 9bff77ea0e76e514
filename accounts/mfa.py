"""Two-factor authentication with an authenticator app (TOTP, django-otp).

A person has at most one confirmed device. Setting up creates an unconfirmed device whose
secret is shown as a QR code and as text; entering a correct code confirms it. After signing
in with a password, anyone with a confirmed device (and every improvement lead and
administrator, who must have one) enters a code before seeing any page; see
`medway_improve.middleware.MfaRequiredMiddleware`.

Once a device is confirmed, the password alone never replaces it: moving to a new phone
needs a session already verified with the current device and a code from it as well
(`mfa_replace_device`). Someone who has lost their phone asks an administrator, whose reset
(`mfa_reset_by_administrator`) is in the audit trail.
"""

from __future__ import annotations

from base64 import b32encode

import django_otp
import segno
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import credentials, permissions

DEVICE_NAME = "Authenticator app"
_NO_DEVICE_SESSION_KEY = "mfa_no_device"
TOO_MANY = "Too many wrong codes. Wait a minute, then enter the newest code."
WRONG_CURRENT_CODE = "That code is not right. Enter the newest code from the app you use now."


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def verification_needed(request: HttpRequest) -> str | None:
    """Where a signed-in but unverified person must go first (a URL name), or None."""
    user = request.user
    required = permissions.mfa_required(user)
    if not required and request.session.get(_NO_DEVICE_SESSION_KEY):
        return None
    if confirmed_device(user) is not None:
        return "accounts:mfa_verify"
    if required:
        return "accounts:mfa_setup"
    request.session[_NO_DEVICE_SESSION_KEY] = True
    return None


@transaction.atomic
def device_for_setup(*, user) -> TOTPDevice:
    """The person's unconfirmed device, made if missing, so the QR code stays the same
    when the set-up page is reloaded."""
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("pk")
        .first()
    )
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def text_secret(device: TOTPDevice) -> str:
    """The secret as people type it into an app: base32 in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> SafeString:
    """The otpauth:// address as an inline SVG QR code (no inline styles, so CSP allows it)."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, svgclass="app-qr-code", lineclass=None, omitsize=False
    )
    label = "QR code for your authenticator app"
    return format_html(
        '<div role="img" aria-label="{}">{}</div>', label, SafeString(svg)
    )  # segno output is generated markup, not user input


def normalise_code(code: str) -> str:
    return "".join(code.split())


def devices_of(user) -> list[TOTPDevice]:
    """The person's confirmed devices, to show them what can sign in as them."""
    return list(TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk"))


def _check_new_device_code(device: TOTPDevice, code: str) -> str:
    """The message for the person if `code` is wrong for the new device, else ""."""
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        return TOO_MANY
    if not device.verify_token(normalise_code(code)):
        return "That code is not right. Enter the newest code from the app."
    return ""


def _use_device(*, request: HttpRequest, device: TOTPDevice) -> None:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    django_otp.login(request, device)
    request.session.pop(_NO_DEVICE_SESSION_KEY, None)


@transaction.atomic
def mfa_confirm_device(*, request: HttpRequest, device: TOTPDevice, code: str) -> tuple[bool, str]:
    """Confirm a first device with a code from it. Returns (ok, message for the person).
    Refused once the person has a confirmed device: that one is replaced only through
    `mfa_replace_device`."""
    if confirmed_device(device.user) is not None:
        raise PermissionDenied("Replacing a device needs a code from the current one.")
    problem = _check_new_device_code(device, code)
    if problem:
        return False, problem
    _use_device(request=request, device=device)
    return True, ""


@transaction.atomic
def mfa_replace_device(
    *, request: HttpRequest, device: TOTPDevice, current_code: str, code: str
) -> tuple[bool, dict[str, str]]:
    """Move two-factor authentication to a new device. Needs a session already verified
    with the current device, a code from the current device and one from the new.
    Returns (ok, {form field: message}); on success the current device is deleted."""
    current = confirmed_device(request.user)
    # django-otp's OTPMiddleware gives request.user is_verified().
    if current is None or not request.user.is_verified():  # type: ignore[union-attr]
        raise PermissionDenied("Enter a code from your current app first.")
    allowed, _ = current.verify_is_allowed()
    if not allowed:
        return False, {"current_code": TOO_MANY}
    if not current.verify_token(normalise_code(current_code)):
        return False, {"current_code": WRONG_CURRENT_CODE}
    problem = _check_new_device_code(device, code)
    if problem:
        return False, {"code": problem}
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    _use_device(request=request, device=device)
    return True, {}


@transaction.atomic
def mfa_reset_by_administrator(*, administrator, user) -> int:
    """Recovery for someone who lost their phone: delete their devices, so they set up a new
    one the next time they sign in. Recorded in the audit trail. Returns devices deleted."""
    if not permissions.can_reset_credentials(administrator, user):
        raise PermissionDenied(
            "Only an administrator can reset someone's two-factor authentication."
        )
    deleted, _ = TOTPDevice.objects.filter(user=user).delete()
    credentials.event_record(user=user, label=credentials.TWO_FACTOR_RESET)
    return deleted


def mfa_verify(*, request: HttpRequest, code: str) -> tuple[bool, str]:
    """Check a code for the signed-in person. Returns (ok, message for the person)."""
    device = confirmed_device(request.user)
    if device is None:
        return False, "Set up two-factor authentication first."
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        return False, TOO_MANY
    if not device.verify_token(normalise_code(code)):
        return False, "Enter the 6-digit code your authenticator app shows now."
    django_otp.login(request, device)
    return True, ""


@transaction.atomic
def mfa_disable(*, user) -> None:
    if permissions.mfa_required(user):
        raise PermissionDenied("Two-factor authentication is required for your role.")
    TOTPDevice.objects.filter(user=user).delete()
