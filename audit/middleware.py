from django.urls import reverse
from pghistory.middleware import HistoryMiddleware

from core import logs


class AuditContextMiddleware(HistoryMiddleware):
    """Marks every write made while answering a request with the person, the address,
    the request ID and the source: "admin" on the admin site, "web" everywhere else."""

    def get_context(self, request):
        context = super().get_context(request)
        admin_prefix = reverse("admin:index")
        context["source"] = "admin" if request.path.startswith(admin_prefix) else "web"
        context["request_id"] = logs.current_request_id()
        return context
