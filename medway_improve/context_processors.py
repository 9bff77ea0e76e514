from django.conf import settings

from accounts import permissions


def service(request):
    """Names every page shows, and the footer's links."""
    match = getattr(request, "resolver_match", None)
    return {
        # Which navigation item is current: the app's namespace (or the URL name at the top).
        "nav_section": (match.namespace or match.url_name or "") if match else "",
        "service_name": settings.SERVICE_NAME,
        "council_name": settings.COUNCIL_NAME,
        "mfa_required": settings.MFA_REQUIRED,
        "can_export_history": permissions.can_export_history(request.user)
        if hasattr(request, "user")
        else False,
    }
