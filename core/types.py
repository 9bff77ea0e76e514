"""Types for the type checker (mypy with django-stubs), for what middleware adds at run time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:  # annotations only: core imports no app when the code runs
    from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request to any view not marked `login_not_required`: LoginRequiredMiddleware has
    sent everyone else to sign in, so `request.user` is a signed-in `User`. Nothing ever
    makes one; views are annotated with it."""

    user: User


class HtmxHttpRequest(AuthenticatedHttpRequest):
    """A signed-in request after django-htmx's middleware (which every request passes
    through): `request.htmx` says whether htmx sent it."""

    htmx: HtmxDetails
