from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.types import AuthenticatedHttpRequest
from home.selectors import dashboard_context


@require_GET
def dashboard(request: AuthenticatedHttpRequest) -> TemplateResponse:
    context = dashboard_context(today=timezone.localdate())
    return TemplateResponse(request, "home/dashboard.html", context)
