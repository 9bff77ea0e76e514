from django.contrib import admin

from imports.models import ColumnMapping, PendingUpload


@admin.register(ColumnMapping)
class ColumnMappingAdmin(admin.ModelAdmin):
    """Remembered column choices. Delete one to be asked again for sheets with those headings."""

    list_display = ["__str__", "updated_by", "updated_at"]
    readonly_fields = ["signature", "headings", "columns", "updated_by", "updated_at"]

    def has_add_permission(self, request):
        return False


@admin.register(PendingUpload)
class PendingUploadAdmin(admin.ModelAdmin):
    """Uploads waiting for their lead to confirm them (deleted after a day)."""

    list_display = ["filename", "kind", "uploaded_by", "created_at"]
    fields = ["filename", "kind", "uploaded_by", "created_at"]
    readonly_fields = fields  # type: ignore[assignment]  # a flat list of field names

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
