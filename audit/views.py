from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from accounts import permissions
from audit import export
from audit.forms import HistoryExportForm
from core.types import AuthenticatedHttpRequest


@require_GET
def history_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """A form for a date range; with a valid range, the audit trail as a CSV download."""
    if not permissions.can_export_history(request.user):
        raise PermissionDenied("Only improvement leads and administrators can export the history.")
    form = HistoryExportForm(request.GET) if request.GET else HistoryExportForm.initial_month()
    if request.GET and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        response = StreamingHttpResponse(
            export.history_csv_rows(start, end), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="improve-audit-trail-{start:%Y-%m-%d}-to-{end:%Y-%m-%d}.csv"'
        )
        return response
    return TemplateResponse(
        request,
        "audit/history_export.html",
        {"form": form},
        status=422 if form.errors else 200,
    )
