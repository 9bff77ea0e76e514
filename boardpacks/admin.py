from django.contrib import admin

from boardpacks.models import BoardPack, Delivery


class ReadOnlyAdmin(admin.ModelAdmin):
    """Packs and deliveries are records: made by the app, never edited by hand (a ready
    pack and a sent delivery are frozen by the database anyway)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    fields = ["recipient", "email", "method", "status", "attempts", "error", "sent_at"]
    readonly_fields = fields  # type: ignore[assignment]  # a flat list of field names
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(BoardPack)
class BoardPackAdmin(ReadOnlyAdmin):
    list_display = ["month", "version", "status", "page_count", "requested_by", "created_at"]
    list_filter = ["status"]
    exclude = ["data"]
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["pack", "email", "method", "status", "attempts", "sent_at"]
    list_filter = ["status", "method"]
