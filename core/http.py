"""Small helpers for views that are about HTTP itself, not any one app."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, fallback) -> str:
    """Where to go next: the request's `next` (form field, else query string) if it is a
    URL on this site, else `fallback` (a URL, a URL name or a model with
    get_absolute_url, as `redirect()` takes). Another host, a scheme-relative `//host`
    or a `javascript:` URL is never returned, and on HTTPS neither is a plain-HTTP URL."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(fallback)
