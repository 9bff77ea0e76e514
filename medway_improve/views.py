"""Site plumbing: health check and friendly error pages."""

from django.contrib.auth.decorators import login_not_required
from django.contrib.sessions.exceptions import SessionInterrupted
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from medway_improve.celery import app as celery_app


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Reports whether the database and the broker answer. 200 when the database does."""
    checks = {"database": "ok", "broker": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any failure means "down"
        checks["database"] = "unavailable"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0, timeout=2)
    except Exception:  # noqa: BLE001
        checks["broker"] = "unavailable"
    status = 200 if checks["database"] == "ok" else 503
    return JsonResponse({"status": "ok" if status == 200 else "degraded", **checks}, status=status)


@login_not_required
def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return TemplateResponse(request, "errors/403.html", status=403).render()


@login_not_required
def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return TemplateResponse(request, "errors/404.html", status=404).render()


@login_not_required
def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    if isinstance(exception, SessionInterrupted):
        # Django says "the session was deleted", but mostly the session could not be saved
        # because the database went away mid-request: our fault, so the page says so.
        return server_error(request)
    from django.template import loader

    return HttpResponse(loader.get_template("errors/400.html").render(), status=400)


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the database may be what failed.
    from django.template import loader

    return HttpResponse(loader.get_template("errors/500.html").render(), status=500)


@login_not_required
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form arrived without a valid CSRF token: usually a page left open past sign-out."""
    return TemplateResponse(request, "errors/csrf.html", status=403).render()
