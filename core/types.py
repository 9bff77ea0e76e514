"""Types for the type checker (mypy with django-stubs), for what middleware adds at run time."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request after django-htmx's middleware (which every request passes through):
    `request.htmx` says whether htmx sent it. Annotate a view's `request` with this when it
    reads `request.htmx`; nothing ever makes one."""

    htmx: HtmxDetails
