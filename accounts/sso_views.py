"""Sign-in and sign-out pages with single sign-on (accounts/oidc.py does the work).

- `SignInView`: the sign-in page: "Sign in with your council account", and the password
  form where passwords are allowed (only the break-glass administrator's when they are off).
- `sso_start`: sends the browser to the provider (mozilla-django-oidc makes the state,
  nonce and PKCE code verifier and keeps them in the session).
- `sso_callback`: the provider sends the browser back here; every failure shows a page
  saying what happened and what to do, never a server error.
- `SignOutView`: signs out of Improve and, after single sign-on, of the provider too.
"""

from __future__ import annotations

import logging

import requests
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from accounts import oidc, permissions
from accounts.forms import PasswordSignInForm

logger = logging.getLogger(__name__)

# What the error page says for each way a sign-in can fail: (status, title, explanation).
FAILURES = {
    "cancelled": (
        403,
        "You did not finish signing in",
        "Signing in with {provider} was cancelled, or it did not let you in. "
        "You are not signed in to {service}.",
    ),
    "provider_error": (
        502,
        "Signing in did not work",
        "{provider} reported a problem and did not sign you in. Try again in a few minutes.",
    ),
    "expired": (
        400,
        "Your sign-in had expired",
        "This happens if you went back in your browser, used an old or changed link, or "
        "signed in from another tab. Start again.",
    ),
    "invalid": (
        400,
        "We could not confirm who you are",
        "The answer from {provider} did not pass our checks, so you are not signed in. "
        "Start again. If it happens again, tell your IT service desk.",
    ),
    "unavailable": (
        503,
        "Sign-in is not working at the moment",
        "{provider} is not answering {service}. Try again in a few minutes.",
    ),
    "unknown": (
        403,
        "You do not have an account in {service}",
        "{provider} knows you, but {service} does not. Ask an administrator of {service} "
        "to add you with the e-mail address your council uses for you.",
    ),
    "ambiguous": (
        403,
        "We could not tell which account is yours",
        "More than one account in {service} has your e-mail address. Ask an administrator "
        "of {service} to sort this out.",
    ),
    "inactive": (
        403,
        "Your account is switched off",
        "Your account in {service} has been switched off. Ask an administrator if you "
        "still need it.",
    ),
    "too_many_groups": (
        403,
        "We could not read your groups",
        "{provider} did not list your groups because you are in too many. Ask your IT "
        "service desk to send {service} only the groups assigned to it.",
    ),
    "mfa": (
        403,
        "Sign in with two-factor authentication",
        "{service} needs you to confirm who you are with a second step, such as a code or "
        "an app, when you sign in with {provider}. Sign in again and use it.",
    ),
}


def _failure(request: HttpRequest, reason: str, detail: str = "") -> TemplateResponse:
    status, title, text = FAILURES[reason]
    names = {"provider": settings.SSO_PROVIDER_NAME, "service": settings.SERVICE_NAME}
    logger.warning("sso sign-in failed: %s %s", reason, detail)
    return TemplateResponse(
        request,
        "accounts/sso_failed.html",
        {
            "title": title.format(**names),
            "text": text.format(**names)[0].upper() + text.format(**names)[1:],
            "reason": reason,
            "reference": getattr(request, "request_id", ""),
        },
        status=status,
    )


class SignInView(auth_views.LoginView):
    """Signing in with a password. Each person lands where their work is: an officer on
    their own actions, everyone else on the dashboard (unless on their way somewhere)."""

    template_name = "accounts/login.html"
    authentication_form = PasswordSignInForm
    redirect_authenticated_user = True

    def get_redirect_url(self, request: HttpRequest | None = None) -> str:
        url = super().get_redirect_url(request)
        return "" if url == "/" else url  # the home page is no particular destination

    def get_default_redirect_url(self) -> str:
        if permissions.lands_on_own_actions(self.request.user):
            return resolve_url("actions:my_actions")
        return super().get_default_redirect_url()

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "sso": oidc.enabled(),
            "sso_provider": settings.SSO_PROVIDER_NAME,
            "local_passwords": settings.LOCAL_PASSWORDS,
        }


class _StartView(OIDCAuthenticationRequestView):
    def __init__(self, **kwargs):
        # The library reads the endpoint from settings here; it comes from discovery in get().
        super(OIDCAuthenticationRequestView, self).__init__(**kwargs)

    def get(self, request):
        if not oidc.enabled():
            raise Http404("Single sign-on is not set up.")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc.discovery()["authorization_endpoint"]
        except oidc.ProviderUnavailable as error:
            return _failure(request, "unavailable", str(error))
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


sso_start = login_not_required(never_cache(_StartView.as_view()))


@login_not_required
@never_cache
@require_GET
def sso_callback(request: HttpRequest) -> HttpResponse:
    if not oidc.enabled():
        raise Http404("Single sign-on is not set up.")
    states = request.session.get("oidc_states") or {}
    state = request.GET.get("state", "")
    pending = states.pop(state, None) if isinstance(states, dict) else None
    if pending is not None:
        # Used once: a replayed or reloaded answer finds no state. Saved now, as Django
        # does not save a session with a 5xx answer (the provider may be down).
        request.session["oidc_states"] = states
        request.session.save()
    error = request.GET.get("error")
    if error:
        reason = "cancelled" if error in ("access_denied", "login_required") else "provider_error"
        return _failure(request, reason, f"{error}: {request.GET.get('error_description', '')}")
    if pending is None or not request.GET.get("code"):
        return _failure(request, "expired", "state missing or unknown")
    backend = oidc.SsoBackend()
    try:
        user = backend.sign_in(
            request, nonce=pending["nonce"], code_verifier=pending["code_verifier"]
        )
    except oidc.SignInRefused as refusal:
        return _failure(request, refusal.reason, str(refusal))
    except oidc.ProviderUnavailable as error:
        return _failure(request, "unavailable", str(error))
    except requests.HTTPError as error:
        status = error.response.status_code if error.response is not None else 0
        return _failure(request, "invalid" if 400 <= status < 500 else "unavailable", str(error))
    except requests.RequestException as error:
        return _failure(request, "unavailable", str(error))
    except SuspiciousOperation as error:
        return _failure(request, "invalid", str(error))
    if user is None:
        return _failure(request, "invalid", "no user")
    next_url = request.session.pop("oidc_login_next", None)
    auth.login(request, user, backend=oidc.BACKEND)
    # The provider did the second factor: MfaRequiredMiddleware asks for no local code.
    request.session[oidc.SESSION_KEY] = str(user.pk)
    request.session[oidc.ID_TOKEN_SESSION_KEY] = backend.id_token
    return HttpResponseRedirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))


class SignOutView(auth_views.LogoutView):
    """Django's sign-out; after single sign-on the browser then goes to the provider's
    end-session page (with the ID token as a hint) and comes back to the sign-in page."""

    def post(self, request, *args, **kwargs):
        sso = oidc.is_sso_session(request)
        id_token = request.session.get(oidc.ID_TOKEN_SESSION_KEY)
        response = super().post(request, *args, **kwargs)
        if sso and oidc.enabled():
            return_to = request.build_absolute_uri(reverse("accounts:login"))
            url = oidc.end_session_url(id_token=id_token, return_to=return_to)
            if url:
                return HttpResponseRedirect(url)
        return response
