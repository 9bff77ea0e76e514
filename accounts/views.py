"""Two-factor authentication and password pages. Signing in and out are Django's own views
(see urls.py)."""

import math

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.template.response import TemplateResponse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts import credentials, mfa, permissions
from accounts.forms import OneTimeCodeForm, PasswordChangeForm, ReplaceDeviceForm
from core.http import safe_next
from core.types import AuthenticatedHttpRequest


@require_GET
def mfa_settings(request: AuthenticatedHttpRequest) -> TemplateResponse:
    device = mfa.confirmed_device(request.user)
    return TemplateResponse(
        request,
        "accounts/mfa_settings.html",
        {
            "device": device,
            "devices": mfa.devices_of(request.user),
            "required": permissions.mfa_required(request.user),
            "form": OneTimeCodeForm() if device else None,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def mfa_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    if mfa.confirmed_device(request.user) is not None:
        return mfa_replace(request)
    device = mfa.device_for_setup(user=request.user)
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, problem = mfa.mfa_confirm_device(
            request=request, device=device, code=form.cleaned_data["code"]
        )
        if ok:
            messages.success(request, "Two-factor authentication is on.")
            return redirect(safe_next(request, settings.LOGIN_REDIRECT_URL))
        form.add_error("code", problem)
    return TemplateResponse(
        request,
        "accounts/mfa_setup.html",
        {
            "form": form,
            "qr_code": mfa.qr_code_svg(device),
            "secret": mfa.text_secret(device),
            "required": permissions.mfa_required(request.user),
            "next": safe_next(request, settings.LOGIN_REDIRECT_URL),
        },
        status=422 if form.errors else 200,
    )


def mfa_replace(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Set-up for someone who already has a device: only from a session verified with it,
    and with a code from it as well as from the new app."""
    if not request.user.is_verified():  # type: ignore[attr-defined]  # OTPMiddleware adds it
        verify = resolve_url("accounts:mfa_verify")
        return redirect(f"{verify}?{urlencode({'next': resolve_url('accounts:mfa_setup')})}")
    device = mfa.device_for_setup(user=request.user)
    form = ReplaceDeviceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, problems = mfa.mfa_replace_device(
            request=request,
            device=device,
            current_code=form.cleaned_data["current_code"],
            code=form.cleaned_data["code"],
        )
        if ok:
            messages.success(request, "Two-factor authentication has moved to your new app.")
            return redirect("accounts:mfa_settings")
        for field, problem in problems.items():
            form.add_error(field, problem)
    return TemplateResponse(
        request,
        "accounts/mfa_setup.html",
        {
            "form": form,
            "replacing": True,
            "qr_code": mfa.qr_code_svg(device),
            "secret": mfa.text_secret(device),
            "required": permissions.mfa_required(request.user),
            "next": resolve_url("accounts:mfa_settings"),
        },
        status=422 if form.errors else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def mfa_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    if mfa.confirmed_device(request.user) is None:
        return redirect("accounts:mfa_setup")
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, problem = mfa.mfa_verify(request=request, code=form.cleaned_data["code"])
        if ok:
            return redirect(safe_next(request, settings.LOGIN_REDIRECT_URL))
        form.add_error("code", problem)
    return TemplateResponse(
        request,
        "accounts/mfa_verify.html",
        {"form": form, "next": safe_next(request, settings.LOGIN_REDIRECT_URL)},
        status=422 if form.errors else 200,
    )


@require_http_methods(["POST"])
def mfa_disable(request: AuthenticatedHttpRequest) -> HttpResponse:
    if permissions.mfa_required(request.user):
        raise PermissionDenied("Two-factor authentication is required for your role.")
    form = OneTimeCodeForm(request.POST)
    if form.is_valid():
        ok, problem = mfa.mfa_verify(request=request, code=form.cleaned_data["code"])
        if ok:
            mfa.mfa_disable(user=request.user)
            messages.success(request, "Two-factor authentication is off.")
            return redirect("accounts:mfa_settings")
        form.add_error("code", problem)
    return TemplateResponse(
        request,
        "accounts/mfa_settings.html",
        {"device": mfa.confirmed_device(request.user), "required": False, "form": form},
        status=422,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def password_change(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        credentials.user_password_change(
            request=request, user=request.user, password=form.cleaned_data["new_password1"]
        )
        messages.success(request, "Your password has been changed.")
        return redirect("accounts:mfa_settings")
    return TemplateResponse(
        request,
        "accounts/password_change.html",
        {"form": form},
        status=422 if form.errors else 200,
    )


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes calls this instead of the login view once a username and address have
    failed AXES_FAILURE_LIMIT times, or while a username's delay runs (AXES_LOCKOUT_CALLABLE;
    see accounts/throttle.py)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    wait = getattr(request, "login_wait", None)
    response = TemplateResponse(
        request,
        "accounts/locked_out.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "minutes": minutes,
            "wait_seconds": math.ceil(wait.total_seconds()) if wait else None,
        },
        status=429,
    ).render()
    if wait:
        response["Retry-After"] = str(math.ceil(wait.total_seconds()))
    return response
