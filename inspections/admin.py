from django.contrib import admin

from inspections.models import (
    AreaCovered,
    AreaForImprovement,
    Inspection,
    Judgement,
    JudgementArea,
    LocalAuthority,
    Strength,
)


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(JudgementArea)
class JudgementAreaAdmin(admin.ModelAdmin):
    list_display = ["short_name", "name", "order", "is_overall", "introduced_on", "retired_on"]
    list_editable = ["order"]
    search_fields = ["name", "short_name", "key"]


class JudgementInline(admin.TabularInline):
    model = Judgement
    extra = 0
    autocomplete_fields = ["area"]


class AreaForImprovementInline(admin.StackedInline):
    model = AreaForImprovement
    extra = 0
    fk_name = "inspection"
    fields = ["order", "text", "short_title", "is_priority_action", "continues"]
    autocomplete_fields = ["continues"]


class StrengthInline(admin.TabularInline):
    model = Strength
    extra = 0


class AreaCoveredInline(admin.StackedInline):
    model = AreaCovered
    extra = 0
    fields = ["order", "text", "revisits", "finding"]
    autocomplete_fields = ["revisits"]


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ["display_title", "kind", "local_authority", "start_date", "published_date"]
    list_filter = ["kind", "local_authority", "framework"]
    search_fields = ["title", "summary", "inspectors"]
    date_hierarchy = "start_date"
    inlines = [JudgementInline, AreaForImprovementInline, StrengthInline, AreaCoveredInline]


@admin.register(Judgement)
class JudgementAdmin(admin.ModelAdmin):
    list_display = ["inspection", "area", "grade", "wording"]
    list_filter = ["grade", "area", "inspection__kind"]
    list_select_related = ["inspection", "area"]
    search_fields = ["wording"]


@admin.register(AreaForImprovement)
class AreaForImprovementAdmin(admin.ModelAdmin):
    list_display = ["label", "inspection", "order", "is_priority_action"]
    list_filter = ["inspection", "is_priority_action"]
    list_select_related = ["inspection"]
    search_fields = ["text", "short_title"]
    autocomplete_fields = ["continues"]


@admin.register(AreaCovered)
class AreaCoveredAdmin(admin.ModelAdmin):
    list_display = ["text", "inspection", "revisits"]
    list_select_related = ["inspection", "revisits"]
    search_fields = ["text", "finding"]
    autocomplete_fields = ["revisits"]
