from django.conf import settings

from accounts import oidc


def service(request):
    """Names every page shows, and the footer's links."""
    match = getattr(request, "resolver_match", None)
    return {
        # Which navigation item is current: the app's namespace (or the URL name at the top).
        "nav_section": _section(match),
        "service_name": settings.SERVICE_NAME,
        "council_name": settings.COUNCIL_NAME,
        "sso_provider_name": settings.SSO_PROVIDER_NAME,
        # Signed in through the council's identity provider (single sign-on).
        "sso_session": oidc.is_sso_session(request),
        "mfa_required": settings.MFA_REQUIRED,
    }


def _section(match) -> str:
    """The app's namespace, or the URL name at the top; My actions is its own item."""
    if match is None:
        return ""
    if match.view_name == "actions:my_actions":
        return "my_actions"
    return match.namespace or match.url_name or ""
