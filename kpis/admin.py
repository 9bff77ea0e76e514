from django.contrib import admin

from kpis.models import Comparator, Indicator, IndicatorValue


@admin.register(Comparator)
class ComparatorAdmin(admin.ModelAdmin):
    list_display = ["name", "description", "order"]
    list_editable = ["order"]
    search_fields = ["name"]


class IndicatorValueInline(admin.TabularInline):
    model = IndicatorValue
    extra = 0
    fields = ["comparator", "period_start", "period_end", "period_label", "value", "source", "note"]
    ordering = ["-period_end"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "unit", "good_direction", "target", "owner", "order"]
    list_filter = ["unit", "good_direction", "frequency", "owner"]
    search_fields = ["name", "code", "definition"]
    prepopulated_fields = {"code": ["name"]}
    autocomplete_fields = ["owner", "areas"]
    filter_horizontal = ["priorities"]
    inlines = [IndicatorValueInline]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    list_display = ["indicator", "comparator", "period_end", "period_label", "value"]
    list_filter = ["indicator", "comparator"]
    list_select_related = ["indicator", "comparator"]
    date_hierarchy = "period_end"
