from django.contrib.auth.models import AnonymousUser

from accounts.permissions import Permissions


def permissions(request) -> dict:
    """`permissions`: what the signed-in person may do, the one way templates ask."""
    return {"permissions": Permissions(getattr(request, "user", None) or AnonymousUser())}
