"""The risk matrix is council configuration: administrators set it here (Risk matrices)."""

from django.contrib import admin

from risks.models import (
    ImpactLevel,
    LikelihoodLevel,
    MatrixCell,
    Risk,
    RiskMatrix,
    RiskRating,
)


class LikelihoodLevelInline(admin.TabularInline):
    model = LikelihoodLevel
    extra = 0
    fields = ["rank", "code", "label", "score", "description"]
    ordering = ["rank"]


class ImpactLevelInline(admin.TabularInline):
    model = ImpactLevel
    extra = 0
    fields = ["rank", "code", "label", "score", "description"]
    ordering = ["rank"]


@admin.register(RiskMatrix)
class RiskMatrixAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "rating_format"]
    fields = ["name", "is_active", "rating_format", "rating_template", "description"]
    inlines = [LikelihoodLevelInline, ImpactLevelInline]


@admin.register(MatrixCell)
class MatrixCellAdmin(admin.ModelAdmin):
    """The colour of each rating. Filter by matrix to edit one council's grid."""

    list_display = ["__str__", "likelihood", "impact", "colour"]
    list_editable = ["colour"]
    list_filter = ["likelihood__matrix", "colour"]
    list_select_related = ["likelihood", "impact"]
    ordering = ["likelihood__matrix", "likelihood__rank", "impact__rank"]


class RiskRatingInline(admin.TabularInline):
    """Read-only: the rating history is append-only."""

    model = RiskRating
    extra = 0
    can_delete = False
    fields = ["rated_on", "likelihood", "impact", "target_likelihood", "target_impact", "note"]
    readonly_fields = fields  # type: ignore[assignment]  # a flat list of field names

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Risk)
class RiskAdmin(admin.ModelAdmin):
    list_display = ["reference", "title", "owner", "likelihood", "impact", "review_date"]
    list_filter = ["status", "appetite", "owner"]
    list_select_related = ["owner", "likelihood", "impact"]
    search_fields = ["reference", "title", "description"]
    autocomplete_fields = ["owner", "actions"]
    inlines = [RiskRatingInline]

    # Risks are added and re-rated in the app (risks.services), which keeps the history.
    readonly_fields = ["likelihood", "impact", "target_likelihood", "target_impact"]

    def has_add_permission(self, request):
        return False
