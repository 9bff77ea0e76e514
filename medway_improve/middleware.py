import logging
import time
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django_htmx.http import HttpResponseClientRedirect

from accounts import mfa, oidc, permissions
from core import logs

request_logger = logging.getLogger("improve.request")


class HtmxVaryMiddleware:
    """Pages answer htmx requests with a fragment, so caches must key on HX-Request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_vary_headers(response, ("HX-Request",))
        return response


class SessionRefreshMiddleware:
    """Sessions end after SESSION_COOKIE_AGE seconds without activity. Rather than saving
    the session on every request (SESSION_SAVE_EVERY_REQUEST: one database write per page
    view), mark it changed when it was last saved SESSION_REFRESH_SECONDS or more ago, so
    SessionMiddleware saves it with a new expiry. Inactivity is measured to that precision."""

    STAMP = "_refreshed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a session someone has (signed in, or a sign-in in progress) and that this
        # request read: a visitor without one is not given one here.
        if session is not None and session.accessed and not session.is_empty():
            now = int(time.time())
            if now - session.get(self.STAMP, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[self.STAMP] = now
        return response


class SessionLifetimeMiddleware:
    """However active, a signed-in session lasts at most SESSION_MAX_LIFETIME_SECONDS from
    signing in (12 hours by default); then the person signs in again, and comes back to the
    page they asked for."""

    STAMP = "_signed_in_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.get(self.STAMP)
            if (
                started is not None
                and time.time() - started > settings.SESSION_MAX_LIFETIME_SECONDS
            ):
                return self._sign_in_again(request)
        response = self.get_response(request)
        # Stamp a session when someone is first seen signed in (this includes the sign-in
        # request itself: login() keeps the session's data when it changes the key).
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and self.STAMP not in request.session:
            request.session[self.STAMP] = int(time.time())
        return response

    def _sign_in_again(self, request):
        from django.contrib.auth import logout

        logout(request)
        target = reverse(settings.LOGIN_URL)
        if request.method == "GET" and not request.htmx:
            target = f"{target}?{urlencode({'next': request.get_full_path()})}"
        if request.htmx:
            return HttpResponseClientRedirect(target)
        return redirect(target)


class PrivatePagesMiddleware:
    """Pages for a signed-in person hold personal and sensitive data: no shared cache may
    keep them, and the browser must check before reusing one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_cache=True)
        return response


class RoleRequiredMiddleware:
    """A signed-in account with no role sees nothing but the sign-out and error pages.
    (LoginRequiredMiddleware has already sent anonymous visitors to sign in.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True):
            return None
        user = request.user
        if user.is_authenticated and not permissions.can_view(user):
            match = request.resolver_match
            if match and match.view_name == "accounts:logout":
                return None
            raise PermissionDenied("Your account has no role yet.")
        return None


class RequestIdMiddleware:
    """Gives each request an ID (the proxy's X-Request-ID if well-formed), puts it on the
    response and on every log record, and logs one line per request with its outcome."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = logs.clean_request_id(request.headers.get("X-Request-ID"))
        token = logs.request_id_var.set(request_id)
        request.request_id = request_id
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        except Exception:
            request_logger.exception(
                "request failed", extra={"method": request.method, "path": request.path}
            )
            raise
        else:
            response["X-Request-ID"] = request_id
            user = getattr(request, "user", None)
            request_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                },
            )
            return response
        finally:
            logs.request_id_var.reset(token)


class MfaRequiredMiddleware:
    """Improvement leads and administrators (and anyone who has turned two-factor
    authentication on) must enter a code from their authenticator app after signing in,
    before any page: leads without a device are sent to set one up first. Not after single
    sign-on: the identity provider's second factor stands (OIDC_REQUIRE_MFA can demand it)."""

    EXEMPT = frozenset(
        {
            "accounts:logout",
            "accounts:mfa_setup",
            "accounts:mfa_verify",
            "admin:logout",
        }
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True):
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if oidc.is_sso_session(request):
            # Signed in through the council's identity provider: its second factor counts.
            return None
        match = request.resolver_match
        if match and match.view_name in self.EXEMPT:
            return None
        needs = mfa.verification_needed(request)
        if needs is None:
            return None
        target = reverse(needs)
        if request.method == "GET" and not request.htmx:
            target = f"{target}?{urlencode({'next': request.get_full_path()})}"
        if request.htmx:
            return HttpResponseClientRedirect(target)
        return redirect(target)
