from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts import permissions
from actions.models import Rag
from core.forms import add_service_errors
from core.panels import panels_for
from core.types import AuthenticatedHttpRequest
from kpis import charts, services
from kpis.forms import IndicatorForm, IndicatorValueForm
from kpis.models import RAG_RULE, Comparator, Indicator, IndicatorValue
from kpis.selectors import indicator_data, mark_old_values, scorecard_data
from kpis.services import indicator_for_entry


@require_GET
def indicator_list(request: AuthenticatedHttpRequest) -> TemplateResponse:
    """The scorecard: every indicator's latest value, target, RAG, trend and comparators."""
    items = scorecard_data()
    for item in items:
        mark_old_values(item, on=timezone.localdate())
    rag = request.GET.get("rag", "")
    shown = [i for i in items if i["rag"] == rag] if rag in Rag.values else items
    counts = {value: sum(1 for i in items if i["rag"] == value) for value in Rag.values}
    return TemplateResponse(
        request,
        "kpis/indicator_list.html",
        {
            "items": shown,
            "total": len(items),
            "rag": rag if rag in Rag.values else "",
            "counts": counts,
            "rag_rule": RAG_RULE,
        },
    )


@require_GET
def indicator_detail(request: AuthenticatedHttpRequest, pk: int) -> TemplateResponse:
    indicator = get_object_or_404(Indicator.objects.for_scorecard(), pk=pk)
    item = indicator_data(indicator)
    values = indicator.values.select_related("comparator").order_by(
        "-period_end", F("comparator__order").asc(nulls_first=True), "comparator__name"
    )
    return TemplateResponse(
        request,
        "kpis/indicator_detail.html",
        {
            "indicator": indicator,
            "item": item,
            "chart": charts.indicator_chart(item) if item["periods"] else "",
            "values": values,
            "panels": panels_for("kpis:indicator_detail", request=request, target=indicator),
            "rag_rule": RAG_RULE,
        },
    )


@require_http_methods(["GET", "POST"])
def indicator_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not permissions.can_manage_indicators(request.user):
        raise PermissionDenied("Only improvement leads can set up indicators.")
    form = IndicatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            indicator = services.indicator_create(user=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Indicator “{indicator.name}” added.")
            return redirect(indicator)
    status = 422 if form.errors else 200
    return TemplateResponse(
        request, "kpis/indicator_form.html", {"form": form, "indicator": None}, status=status
    )


@require_http_methods(["GET", "POST"])
def indicator_update(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if not permissions.can_manage_indicators(request.user):
        raise PermissionDenied("Only improvement leads can change indicators.")
    indicator = get_object_or_404(Indicator, pk=pk)
    form = IndicatorForm(request.POST or None, instance=indicator)
    if request.method == "POST" and form.is_valid():
        try:
            indicator = services.indicator_update(user=request.user, pk=pk, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Indicator “{indicator.name}” saved.")
            return redirect(indicator)
    status = 422 if form.errors else 200
    return TemplateResponse(
        request,
        "kpis/indicator_form.html",
        {"form": form, "indicator": indicator},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def indicator_value_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    indicator = indicator_for_entry(user=request.user, pk=pk)
    form = IndicatorValueForm(request.POST or None, indicator=indicator)
    return _value_form(request, indicator, form, value=None)


@require_http_methods(["GET", "POST"])
def indicator_value_update(
    request: AuthenticatedHttpRequest, pk: int, value_pk: int
) -> HttpResponse:
    indicator = indicator_for_entry(user=request.user, pk=pk)
    value = get_object_or_404(IndicatorValue, pk=value_pk, indicator=indicator)
    form = IndicatorValueForm.for_value(value, data=request.POST or None)
    return _value_form(request, indicator, form, value=value)


def _value_form(request, indicator, form, value) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_value_save(
                user=request.user,
                indicator_pk=indicator.pk,
                value_pk=value.pk if value else None,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Value saved." if value else "Value added.")
            return redirect(indicator)
    status = 422 if form.errors else 200
    return TemplateResponse(
        request,
        "kpis/indicator_value_form.html",
        {
            "indicator": indicator,
            "form": form,
            "value": value,
            "has_comparators": Comparator.objects.exists(),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def indicator_value_delete(
    request: AuthenticatedHttpRequest, pk: int, value_pk: int
) -> HttpResponse:
    indicator = indicator_for_entry(user=request.user, pk=pk)
    value = get_object_or_404(
        IndicatorValue.objects.select_related("comparator"), pk=value_pk, indicator=indicator
    )
    if request.method == "POST":
        services.indicator_value_delete(user=request.user, pk=value.pk)
        messages.success(request, f"Value for {value.period_name} removed.")
        return redirect(indicator)
    return TemplateResponse(
        request, "kpis/indicator_value_delete.html", {"indicator": indicator, "value": value}
    )
