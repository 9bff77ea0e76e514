"""Single sign-on with the council's identity provider (OpenID Connect), through
mozilla-django-oidc (see docs/sso.md and docs/decisions/0006-oidc-library.md).

The flow is the authorization code flow with PKCE: the library makes the state, nonce and
code verifier and checks them on the way back; this module adds what a council needs:
- the provider's endpoints from its discovery document, so only the issuer URL, client ID
  and secret are configured (`discovery`);
- a full check of the ID token: signature, issuer, audience, expiry with a tolerance for
  clock differences (`SsoBackend._verify_jws`);
- people matched on the provider's subject, on e-mail the first time, and created (with no
  role) only if the council wants that (`user_sign_in_with_sso`);
- roles from the provider's groups, set again at every sign-in (`user_roles_sync`);
- the optional demand that the provider did multi-factor authentication (`amr`);
- the end-session address for signing out of the provider too (`end_session_url`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accounts.models import Role, SsoIdentity, User

logger = logging.getLogger(__name__)

BACKEND = "accounts.oidc.SsoBackend"
SESSION_KEY = "sso_sign_in"
ID_TOKEN_SESSION_KEY = "sso_id_token"  # noqa: S105 - a session key, not a secret
DISCOVERY_MAX_AGE = 3600  # seconds a discovery document is reused


class ProviderUnavailable(Exception):
    """The identity provider did not answer, or answered with something unusable."""


class SignInRefused(Exception):
    """The provider vouched for the person, but Improve will not sign them in.
    `reason` picks the message on the error page (see sso_views.FAILURES)."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


# --- Configuration ------------------------------------------------------------------


def enabled() -> bool:
    return bool(settings.OIDC_ISSUER)


def roles_from_groups() -> bool:
    """Whether the provider's groups decide roles (any group configured for any role)."""
    return any(settings.OIDC_ROLE_GROUPS.values())


def is_sso_session(request: HttpRequest) -> bool:
    """Whether the signed-in person came in through the provider (not with a password)."""
    session = getattr(request, "session", None)
    user = getattr(request, "user", None)
    if session is None or user is None or not user.is_authenticated:
        return False
    return session.get(SESSION_KEY) == str(user.pk)


def roles_managed_by_provider(user) -> bool:
    """An SSO user's roles follow their groups when groups are configured: Improve may not
    change them (the next sign-in would undo the change anyway)."""
    if not (user and user.pk and roles_from_groups()):
        return False
    return SsoIdentity.objects.filter(user_id=user.pk).exists()


def password_sign_in_allowed(username: str | None) -> bool:
    """With LOCAL_PASSWORDS off, only the break-glass administrator uses a password."""
    if settings.LOCAL_PASSWORDS:
        return True
    return bool(settings.BREAK_GLASS_USERNAME) and username == settings.BREAK_GLASS_USERNAME


# --- Discovery ----------------------------------------------------------------------

_discovery_cache: dict[str, tuple[float, dict]] = {}
_discovery_lock = threading.Lock()
REQUIRED_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri")


def discovery() -> dict:
    """The provider's OpenID configuration (`<issuer>/.well-known/openid-configuration`),
    fetched once an hour. Raises ProviderUnavailable."""
    issuer = settings.OIDC_ISSUER
    with _discovery_lock:
        cached = _discovery_cache.get(issuer)
        if cached and time.monotonic() - cached[0] < DISCOVERY_MAX_AGE:
            return cached[1]
    url = f"{issuer}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(f"discovery at {url} failed: {error}") from error
    if document.get("issuer", "").rstrip("/") != issuer:
        raise ProviderUnavailable(f"discovery at {url} names issuer {document.get('issuer')!r}")
    missing = [key for key in REQUIRED_ENDPOINTS if not document.get(key)]
    if missing:
        raise ProviderUnavailable(f"discovery at {url} lacks {', '.join(missing)}")
    with _discovery_lock:
        _discovery_cache[issuer] = (time.monotonic(), document)
    return document


def forget_discovery() -> None:
    with _discovery_lock:
        _discovery_cache.clear()


def end_session_url(*, id_token: str | None, return_to: str) -> str | None:
    """Where to send the browser to sign out of the provider too (RP-initiated logout), or
    None if the provider does not offer it."""
    try:
        endpoint = discovery().get("end_session_endpoint")
    except ProviderUnavailable:
        logger.warning("sso sign-out: provider unavailable, signed out of Improve only")
        return None
    if not endpoint:
        return None
    params = {"client_id": settings.OIDC_RP_CLIENT_ID, "post_logout_redirect_uri": return_to}
    if id_token:
        params["id_token_hint"] = id_token
    separator = "&" if "?" in endpoint else "?"
    return f"{endpoint}{separator}{urlencode(params)}"


# --- The authentication backend -----------------------------------------------------


class SsoBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend with the provider's endpoints from discovery and a
    stricter ID-token check. Django's `authenticate()` never reaches it (it takes no
    password); the callback view calls `sign_in` with the state's nonce and code verifier."""

    def __init__(self, *args, **kwargs):
        # No settings or network here: Django makes a backend for every request that reads
        # the signed-in user (`get_user`).
        self.UserModel = User

    def authenticate(self, request, **kwargs):
        return None

    def get_user(self, user_id):
        return ModelBackend.get_user(self, user_id)

    def sign_in(self, request: HttpRequest, *, nonce: str, code_verifier: str) -> User | None:
        """Exchange the callback's code for tokens, check them and return the person.
        Raises ProviderUnavailable, SuspiciousOperation (a token that fails its checks),
        requests.HTTPError (the provider refused the code) or SignInRefused."""
        config = discovery()
        self.issuer = settings.OIDC_ISSUER
        self.OIDC_OP_TOKEN_ENDPOINT = config["token_endpoint"]
        self.OIDC_OP_USER_ENDPOINT = config.get("userinfo_endpoint")
        self.OIDC_OP_JWKS_ENDPOINT = config["jwks_uri"]
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.id_token = None
        return super().authenticate(request, nonce=nonce, code_verifier=code_verifier)

    def _verify_jws(self, payload, key):
        """The library checks the signature and expiry only; check the issuer and that the
        token was made for us too, tolerating OIDC_CLOCK_SKEW_SECONDS of clock difference."""
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=self.issuer,
                leeway=settings.OIDC_CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iat", "sub", "aud", "iss"]},
            )
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"ID token rejected: {error}") from error

    def store_tokens(self, access_token, id_token):
        # Kept for the end-session request (id_token_hint); the view puts it in the session
        # after signing in, as the session changes then.
        self.id_token = id_token

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims, completed by the user info endpoint where there is one.
        The signed ID token wins: Entra ID puts groups and amr there, not in user info."""
        claims = {}
        if self.OIDC_OP_USER_ENDPOINT:
            claims = super().get_userinfo(access_token, id_token, payload)
            if claims.get("sub") != payload.get("sub"):
                raise SuspiciousOperation("User info is about someone else than the ID token")
        return {**claims, **payload}

    def verify_claims(self, claims):
        if not claims.get("sub"):
            return False
        if settings.OIDC_REQUIRE_MFA and "mfa" not in _as_list(claims.get("amr")):
            raise SignInRefused("mfa", f"amr was {claims.get('amr')!r}")
        return True

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        if not self.verify_claims(claims):
            raise SuspiciousOperation("The ID token has no subject")
        return user_sign_in_with_sso(issuer=self.issuer, claims=claims)


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value]


# --- Services: accounts and roles from the provider's claims --------------------------


@transaction.atomic
def user_sign_in_with_sso(*, issuer: str, claims: dict) -> User:
    """The Improve account for the person the provider vouches for: found by subject, else
    linked by e-mail (the first time), else made with no role if OIDC_CREATE_USERS is on.
    Their names and e-mail follow the provider's, and their roles its groups."""
    subject = str(claims["sub"])
    identity = (
        SsoIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    if identity is not None:
        user = identity.user
    else:
        user = _user_for_first_sign_in(issuer=issuer, claims=claims)
        identity = SsoIdentity.objects.create(user=user, issuer=issuer, subject=subject)
        logger.info("sso: linked user %s to subject %s", user.pk, subject)
    if not user.is_active:
        raise SignInRefused("inactive", f"user {user.pk}")
    _update_details(user=user, claims=claims)
    if roles_from_groups():
        claim = settings.OIDC_GROUPS_CLAIM
        if claim not in claims and claim in (claims.get("_claim_names") or {}):
            # Entra ID's "overage": too many groups to list, so none are. Taking every role
            # away would be wrong, and so would keeping roles the groups may no longer give.
            raise SignInRefused("too_many_groups", f"{claim} claim replaced by _claim_names")
        user_roles_sync(user=user, groups=_as_list(claims.get(claim)))
    identity.last_sign_in = timezone.now()
    identity.save(update_fields=["last_sign_in"])
    return user


def _user_for_first_sign_in(*, issuer: str, claims: dict) -> User:
    email = (claims.get("email") or "").strip()
    if email:
        candidates = list(
            User.objects.select_for_update(of=("self",))
            .filter(email__iexact=email, sso_identity__isnull=True)
            .exclude(username=settings.BREAK_GLASS_USERNAME or None)[:2]
        )
        if len(candidates) > 1:
            raise SignInRefused("ambiguous", f"{email} is on more than one account")
        if candidates:
            return candidates[0]
    if not settings.OIDC_CREATE_USERS:
        raise SignInRefused("unknown", f"no account for subject {claims['sub']}")
    user = User(username=_free_username(claims), email=email)
    user.set_unusable_password()
    user.save()
    logger.info("sso: created user %s with no role", user.pk)
    return user


def _free_username(claims: dict) -> str:
    base = str(claims.get("preferred_username") or claims.get("email") or claims["sub"])[:140]
    username, n = base, 1
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"{base}-{n}"
    return username


def _update_details(*, user: User, claims: dict) -> None:
    changed = []
    for field, claim in (("first_name", "given_name"), ("last_name", "family_name")):
        value = (claims.get(claim) or "").strip()[:150]
        if value and getattr(user, field) != value:
            setattr(user, field, value)
            changed.append(field)
    email = (claims.get("email") or "").strip()
    if email and user.email != email:
        user.email = email
        changed.append("email")
    if changed:
        user.save(update_fields=changed)


@transaction.atomic
def user_roles_sync(*, user: User, groups: Iterable[str]) -> set[str]:
    """Give the person exactly the roles their provider groups map to (OIDC_ROLE_GROUPS),
    taking away any other role. Staff status (opening the admin) goes with Administrator;
    superuser status is never kept, so losing the group loses the power. Returns the roles."""
    held = set(groups)
    roles = {role for role, ids in settings.OIDC_ROLE_GROUPS.items() if held & set(ids)}
    role_groups = {group.name: group for group in Group.objects.filter(name__in=Role.values)}
    current = set(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
    if current - roles:
        user.groups.remove(*(role_groups[name] for name in current - roles))
    if roles - current:
        user.groups.add(*(role_groups[name] for name in roles - current))
    is_staff = Role.ADMINISTRATOR.value in roles
    if user.is_staff != is_staff or user.is_superuser:
        user.is_staff, user.is_superuser = is_staff, False
        user.save(update_fields=["is_staff", "is_superuser"])
    user._role_names = frozenset(roles)
    if current != roles:
        logger.info("sso: roles of user %s now %s", user.pk, sorted(roles) or "none")
    return roles
