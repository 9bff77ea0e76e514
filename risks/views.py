from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts import permissions
from core.forms import add_service_errors
from core.panels import panels_for
from core.types import AuthenticatedHttpRequest
from risks import services
from risks.forms import RiskFilterForm, RiskForm
from risks.models import LikelihoodLevel, MatrixCell, Risk, RiskMatrix, RiskStatus
from risks.selectors import heat_map_data

PAGE_SIZE = 50


@require_GET
def risk_list(request: AuthenticatedHttpRequest) -> TemplateResponse:
    """The register, worst first, with filters in the URL."""
    form = RiskFilterForm(request.GET or None)
    today = timezone.localdate()
    risks = Risk.objects.for_register()
    data = form.cleaned_data if form.is_valid() else {}
    status = data.get("status") or RiskStatus.OPEN
    if status != "all":
        risks = risks.filter(status=status)
    if data.get("q"):
        q = data["q"]
        risks = risks.filter(
            Q(title__icontains=q) | Q(reference__iexact=q) | Q(description__icontains=q)
        )
    if data.get("owner"):
        risks = risks.filter(owner=data["owner"])
    if data.get("colour"):
        risks = risks.filter(current_colour=data["colour"])
    if data.get("overdue"):
        risks = risks.review_overdue(on=today)
    if data.get("above_appetite"):
        risks = risks.above_appetite()
    cell = None
    if data.get("likelihood") and data.get("impact"):
        risks = risks.filter(likelihood=data["likelihood"], impact=data["impact"])
        cell = (
            MatrixCell.objects.select_related("likelihood__matrix", "impact")
            .filter(likelihood=data["likelihood"], impact=data["impact"])
            .first()
        )
    page = Paginator(risks, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return TemplateResponse(
        request,
        "risks/risk_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "today": today,
            "cell_rating": cell.likelihood.matrix.format_rating(cell.likelihood, cell.impact)
            if cell
            else "",
        },
    )


@require_GET
def risk_heat_map(request: AuthenticatedHttpRequest) -> TemplateResponse:
    return TemplateResponse(
        request,
        "risks/risk_heat_map.html",
        {"heat_map": heat_map_data(), "today": timezone.localdate()},
    )


@require_GET
def risk_detail(request: AuthenticatedHttpRequest, pk: int) -> TemplateResponse:
    risk = get_object_or_404(Risk.objects.for_register(), pk=pk)
    ratings = risk.ratings.select_related(
        "likelihood__matrix", "impact", "target_likelihood", "target_impact", "recorded_by"
    )
    return TemplateResponse(
        request,
        "risks/risk_detail.html",
        {
            "risk": risk,
            "ratings": ratings,
            "actions": risk.actions.for_list().with_rag(),
            "today": timezone.localdate(),
            "panels": panels_for("risks:risk_detail", request=request, target=risk),
        },
    )


@require_http_methods(["GET", "POST"])
def risk_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not permissions.can_manage_risks(request.user):
        raise PermissionDenied("Only improvement leads can add risks.")
    form = RiskForm(request.POST or None, can_manage=True)
    if request.method == "POST" and form.is_valid():
        try:
            risk = services.risk_create(user=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Risk {risk.reference} added.")
            return redirect(risk)
    return TemplateResponse(
        request,
        "risks/risk_form.html",
        {"form": form, "risk": None},
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def risk_update(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    risk = services.risk_for_edit(user=request.user, pk=pk)
    can_manage = permissions.can_manage_risks(request.user)
    form = RiskForm(request.POST or None, instance=risk, can_manage=can_manage)
    if request.method == "POST" and form.is_valid():
        try:
            risk = services.risk_update(user=request.user, pk=pk, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Risk {risk.reference} updated.")
            return redirect(risk)
    return TemplateResponse(
        request,
        "risks/risk_form.html",
        {"form": form, "risk": services.risk_for_edit(user=request.user, pk=pk)},
        status=422 if form.errors else 200,
    )


@require_GET
def matrix_detail(request: AuthenticatedHttpRequest) -> TemplateResponse:
    """The matrix in use: its scales, rating format and cell colours (set in the admin)."""
    matrix = RiskMatrix.objects.current()
    return TemplateResponse(
        request,
        "risks/matrix_detail.html",
        {
            "matrix": matrix,
            "heat_map": heat_map_data(matrix=matrix, risks=[]) if matrix else None,
            "likelihoods": LikelihoodLevel.objects.filter(matrix=matrix).order_by("rank"),
            "impacts": matrix.impact_scale if matrix else [],
            "missing": matrix.missing_cells() if matrix else [],
            "is_administrator": permissions.is_administrator(request.user),
        },
    )
